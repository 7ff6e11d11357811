"""Loyalty and marketing prompts, read the way shops word them.

Every phrasing below was read on a page of the development corpus (shop and page named beside it) or on
the demo shop; the pages themselves are not in the project. They cover the prompt kinds of issue 7 in the
corpus's languages: loyalty numbers, "phone number for rewards", programme enrolment boxes and forms,
marketing opt-ins and their opt-out twins, newsletter pop-ups; and the look-alikes that must NOT be taken
for them (cookie switches, gift cards, "do not miss our offers", a login's membership number).
"""

from __future__ import annotations

import pytest

from companion.fields.classify import understand
from companion.protocol.messages import FillRequestPayload

ORIGIN = "https://shop.example"


def payload(*fields: dict, forms: list[dict] | None = None) -> FillRequestPayload:
    rows = [{"index": i, "form_index": 0, "tag": "input", "type": "text", **f} for i, f in enumerate(fields)]
    return FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/checkout", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": forms if forms is not None else [{"index": 0}],
            "fields": rows,
        }
    )


def one_type(**descriptor) -> str | None:
    return understand(payload(descriptor)).fields[0].type


# --- loyalty and membership numbers -----------------------------------------------------------------

LOYALTY_NUMBERS = [
    ("Ace Rewards Number", "memberId", "number"),  # US hardware chain, account page
    ("True Value Rewards Number", "", "text"),  # US hardware chain, checkout
    ("Hudson's Bay Rewards Number", "dwfrm_loyaltyGuestReward_hudsonRewardNumber", "text"),  # CA, checkout
    ("Loyalty card number (10 last digits)", "", "number"),  # FR garden centre, checkout
    ("Plussa card number", "loyaltyIdInput", "text"),  # FI hardware store (name only says loyalty)
    ("Club Card szám", "", "text"),  # HU furniture shop
    ("Membership Number", "add-membership-number", "text"),  # US warehouse club, checkout
    ("KrisFlyer membership number", "", "text"),  # SG airline sign-up
    ("Kundenkartennummer oder Telefonnummer für Bonuspunkte (optional)", "rewards_id", "text"),  # demo shop, de
    ("Rewards card number or phone number for rewards (optional)", "rewards_id", "text"),  # demo shop, en
    ("Ihre Kundenkartennummer", "member_number", "text"),  # demo shop, de
    ("Numéro de fidélité", "", "text"),
    ("Phone number for rewards", "", "tel"),  # "phone number for rewards" prompt at checkout
]


@pytest.mark.parametrize(("label", "name", "input_type"), LOYALTY_NUMBERS)
def test_loyalty_number_fields(label, name, input_type):
    assert one_type(label=label, name=name, type=input_type) == "membership-number"


def test_loyalty_number_by_its_name_alone():
    assert one_type(name="loyaltyMemberCardNumber") == "membership-number"  # GR shop, checkout


@pytest.mark.parametrize(
    "descriptor",
    [
        {"nearby_text": "Enter Gift/Reward Card number below", "name": "gcInput", "type": "tel"},  # a gift card
        {"label": "Gutscheincode", "name": "voucher"},
        {"label": "Phone", "name": "phone", "type": "tel"},
        {"label": "Membership number", "name": "membership", "type": "email"},  # an email box is an email box
    ],
)
def test_not_loyalty_numbers(descriptor):
    assert one_type(**descriptor) != "membership-number"


def test_membership_number_of_a_login_form_is_its_username():
    # An airline's login: "Membership number" + password. The number is the account name there.
    p = payload(
        {"label": "Membership number", "name": "memberId"},
        {"label": "Password", "name": "password", "type": "password"},
    )
    assert understand(p).fields[0].type != "membership-number"


def test_loyalty_lookup_purpose():
    p = payload({"label": "Your rewards number", "name": "member_number", "inputmode": "numeric"})
    assert understand(p).purpose == "loyalty-lookup"


# --- consent boxes --------------------------------------------------------------------------------

OPT_INS = [
    "Yes, I would like to receive email offers & helpful tips.",  # US hardware chain
    "Yes , email me exclusive DrJays.com discounts and promotions.",
    "Subscribe to AppliancePartsPros.com newsletter to get repair tips, recall alerts, and other updates",
    "Ja, ich möchte personalisierte, aktuelle Informationen über zooplus-Produkte, -Services, -Angebote",
    "Ja, ich melde mich zum Newsletter an und möchte personalisierte Werbung erhalten.",  # AT
    "Nieuwsbrief Ik wil me voor exclusieve deals op de nieuwsbrief van vidaXL abonneren.",  # BE, nl
    "Oui, je souhaite recevoir par sms les offres d'Yves Rocher",  # BE, fr
    "Quero receber ofertas e novidades das lojas Netshoes e Magazine Luiza por e-mail",  # BR
    "Acepto recibir información comercial/informativa en esta suscripción",  # ES
    "Envoyez-moi des offres exclusives et d’accès anticipés à de nouveaux lancements",  # CA, fr
    "Do not miss personal gifts and discounts. Register",  # UA: a "not" that is no refusal
    "Sure, keep me updated with the latest gaming news, deals, and more. I can, of course, opt out",
    "We'd like to send you offers. Untick this box if you do not want to receive them.",
    "Email me news and offers from Lindenhof Outfitters",  # demo shop, en
    "Ja, ich möchte Neuigkeiten und Angebote per E-Mail erhalten",  # demo shop, de
]


@pytest.mark.parametrize("label", OPT_INS)
def test_marketing_opt_ins(label):
    assert one_type(label=label, type="checkbox") == "marketing-opt-in"


OPT_OUTS = [
    "Je ne souhaite pas recevoir d’informations sur les nouveautés, promos et codes promotionnels.",  # BE
    "In connection with this order, I do not want to receive information about new products, promotions",
    "I do not want to receive newsletter.",  # GR
    "I don’t want to receive marketing messages from Airbnb.",
    "Tick this box if you do NOT want to receive offers from our partners",  # demo shop, en
    "Kreuzen Sie dieses Feld an, wenn Sie KEINE Angebote unserer Partner erhalten möchten",  # demo shop, de
    "Ik wil geen nieuwsbrief ontvangen",
    "No deseo recibir ofertas ni promociones",
]


@pytest.mark.parametrize("label", OPT_OUTS)
def test_marketing_opt_outs(label):
    assert one_type(label=label, type="checkbox") == "marketing-opt-out"


ENROLMENT_BOXES = [
    "Join our MyPOWER customer club and earn bonus on all your purchases",  # DK
    "I would like to join Club Boozt! By joining Club Boozt, I agree to receive personalised exclusive content, "
    "offers, recommendations and product campaigns about Boozt’s product range, member benefits",  # SE
    "Yes, sign me up for Lindenhof Rewards membership",
    "Ja, ich möchte Mitglied werden im Bonusprogramm",
]


@pytest.mark.parametrize("label", ENROLMENT_BOXES)
def test_enrolment_boxes(label):
    assert one_type(label=label, type="checkbox") == "loyalty-enroll"


@pytest.mark.parametrize(
    "label",
    [
        "Marketing Cookies",  # cookie banners (UK, AU): switches, not consent to be contacted
        "Cookies für Marketingzwecke",
        "Marketingcookies en server-naar-servergegevens",
        "Joint Tenants with Right of Survivorship",  # "join" inside another word
    ],
)
def test_not_consent_prompts(label):
    assert one_type(label=label, type="checkbox") not in {"marketing-opt-in", "marketing-opt-out", "loyalty-enroll"}


# --- forms ----------------------------------------------------------------------------------------


def test_newsletter_pop_up_is_a_newsletter_not_an_enrolment():
    # "Join 40,000 outdoor fans" joins a mailing list, not a programme.
    p = payload(
        {"label": "Your email address", "name": "EMAIL", "type": "email"},
        forms=[
            {
                "index": 0,
                "heading": "Get our newsletter",
                "text": "Join 40,000 outdoor fans: new arrivals, repair tips and members-only offers.",
                "submit_text": "Subscribe",
                "in_dialog": True,
            }
        ],
    )
    assert understand(p).purpose == "newsletter"


@pytest.mark.parametrize(
    ("heading", "submit"),
    [("Join our rewards program", "Join now"), ("Jetzt Mitglied im Bonusprogramm werden", "Jetzt beitreten")],
)
def test_enrolment_form_purpose(heading, submit):
    p = payload(
        {"label": "First name", "name": "given"},
        {"label": "Email", "name": "email", "type": "email", "autocomplete": "email"},
        forms=[{"index": 0, "heading": heading, "submit_text": submit}],
    )
    assert understand(p).purpose == "loyalty-enrollment"


def test_a_checkout_with_a_rewards_box_or_a_join_box_is_a_checkout():
    address = [
        {"label": "Street address", "name": "address1", "autocomplete": "address-line1"},
        {"label": "Postcode", "name": "zip", "autocomplete": "postal-code"},
        {"label": "City", "name": "city", "autocomplete": "address-level2"},
    ]
    with_rewards = payload(*address, {"label": "Rewards card number (optional)", "name": "rewards_id"})
    with_join = payload(*address, {"label": "Join our rewards club and earn points", "type": "checkbox"})
    assert understand(with_rewards).purpose == "checkout"
    assert understand(with_join).purpose == "checkout"
