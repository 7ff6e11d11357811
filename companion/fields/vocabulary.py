"""Multilingual keyword tables: the words people and programmers use for each kind of field.

Each entry maps a field kind to a regular expression over *normalised* text (see ``text.normalise``:
lower case, Latin accents folded, camelCase and separators turned into spaces). One table serves both the
human text of a field (label, placeholder, aria-label, title) and its programmer names (name, id), because
programmers write in the same languages their shops sell in ("vorname", "codigo_postal", "telefono").
The tables state facts about languages, not about any page: a word goes in when it is how a language
names that thing (the sealed set is other sites in the same languages).

Kinds are WHATWG tokens where one exists; a few extra kinds name parts that have no token of their own
("house-number", "apartment", "street-name", "confirm", "search", ...). They feed the model as evidence
and are never returned as a field's type.

Patterns use ``(?<![a-z])`` / ``(?![a-z])`` for short words that would otherwise match inside longer ones
(``tel`` inside ``hotel``, ``nr`` inside ``vnr``), and plain substrings where compounds are the norm
(German ``Rechnungsadresse``, ``Telefonnummer``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable
from functools import cache, lru_cache

from companion.fields.literals import LiteralIndex
from companion.fields.text import fold

_W = r"(?<![a-z])"  # word start (Latin); non-Latin scripts have no case and no spaces, so they go bare
_E = r"(?![a-z])"  # word end


# Not the code a whole number is asked with: "Mobile (with country code)" wants the number
_NOT_WITH = r"(?<!with )(?<!including )(?<!incl )(?<!mit )(?<!avec )(?<!con )"


def _w(word: str) -> str:
    return f"{_W}{word}{_E}"


KEYWORDS: dict[str, str] = {
    "email": "|".join(
        [
            r"e ?mail",
            r"courriel",
            r"correo|correio eletr|correio electr",  # Spanish; Portuguese "correio eletrónico"
            _w("mail"),
            r"mailadres",
            r"posta elettronica",
            _W + r"e ?post",  # not the "e post" inside "code postal"
            r"sähköposti|sahkoposti",
            _W + r"e ?posta",
            r"email",
            r"почт(?!ов)",  # not "почтовый" (postal)
            r"имейл|имејл|" + _w("imejl"),
            r"(?<![а-яёіїєґ])(ел|е) ?пошта|електронна пошта|імейл",  # "ел. пошта", "е-пошта" (read without the marks)
            r"ηλεκτρονικ",
            _w("surel"),  # Indonesian "surat elektronik"
            r"メール|メアド",
            r"邮箱|邮件|電子郵件|郵箱|电子邮件",
            r"이메일|메일",
            r"البريد(?![يى])|بريد [إا]لكتروني|الإيميل|ايميل",  # not "البريدي", postal
            r"דוא ?ל|דואר אלקטרוני|אימייל",
            r"อีเมล",
        ]
    ),
    "confirm": r"confirm|repeat|retype|re ?enter|again(?!st)|wiederhol|bestätig|bestatig|confirme|confirma|ripeti|"
    r"potvrz|bekreft|επιβεβαίω|onayla|konfirmasi|потвърд|" + _w("ponovi(te)?") + r"|"
    r"conferma|herhaal|bevestig|powt[oó]rz|potwierd|upprepa|bekräfta|gentag|bekræft|toista|vahvista|"
    r"zopakuj|potvrď|potvrd|megerősít|ismétel|повтор|подтвер|再入力|確認|确认|再次|재입력|확인|تأكيد|verify|"
    + _w("re")
    + r"|2$|"
    + _w("conf"),
    "tel": "|".join(
        [
            _w("tel"),
            _w("tlf"),
            _w("tfn"),
            _w("tlfn"),
            r"phone",
            r"telef",
            r"téléph|teleph",
            r"telf",
            r"mobil",
            _W + r"cell",  # not "parcel locker", "cancelling"
            r"portable",
            r"handy",
            r"celular",
            _W + r"movil",  # Spanish "Móvil", not "automóvil"
            r"cellulare",
            _w("gsm"),
            r"puhelin|matkapuhelin",
            r"telefon",
            r"numer telefonu",
            r"телефон|мобил|тел$",  # "Тел." reads "тел"
            r"τηλέφωνο|τηλεφωνο|κινητό|κινητο|σταθερό|σταθερο",  # mobile, landline
            r"(?<![α-ω])τηλ(?![α-ω])|(?<![α-ω])κιν(?![α-ω])",  # Greek "Τηλ.", "Κιν.": phone, mobile, abbreviated
            r"電話|携帯|ケータイ|手机|手機|电话",
            r"전화|휴대폰|핸드폰",
            r"هاتف|جوال|الجوال|موبايل|رقم الهاتف",
            r"טלפון|נייד",
            r"โทรศัพท์|มือถือ",
            r"ponsel|telepon|nomor hp|no hp|" + _w("hp"),  # Indonesian
            r"mobiel|mobitel|telemóvel|мобільн",  # Dutch, Serbo-Croatian, Portuguese, Ukrainian mobile
            _w("msisdn"),
            _w("tel no"),
        ]
    ),
    "tel-country-code": _NOT_WITH + r"country ?code|" + _NOT_WITH + r"dial ?code|" + _NOT_WITH + r"calling ?code|"
    r"phone ?prefix|prefix|prefisso|vorwahl land|"
    r"landesvorwahl|landervorwahl|indicatif|prefijo|código de país|codigo de pais|cod pais|landcode|landnummer|"
    r"landekode|landskod|landsnummer|maatunnus|indicativo|codigo do pais|ulke kodu|kod kraju|orszagkod|"
    r"κωδικος χωρας|kode negara|код країни|"
    r"kierunkowy|předvolba|predvolba|előhívó|код страны|κωδικός κλήσης|maan suuntanumero|"
    r"国番号|国际区号|国家代码|国家区号|국가 ?번호|رمز الدولة|"
    r"country calling|phonecode|phone code|dialcode|intl ?code|" + _w("cc") + r"|" + _w("isd"),
    "tel-area-code": r"area ?code|vorwahl|prefisso locale|código de área|codigo de area|indicatif régional|"
    r"netnummer|körzetszám|korzetszam|suuntanumero|市外局番|区号|קידומת",
    "tel-extension": r"extension|" + _w("ext") + r"|durchwahl|interno|" + _w("poste") + r"|内線|分机|"
    r"toestel|wewnętrzny|"
    + _w("linka")
    + r"|mellék|alanumero|anknytning|добавочн|внутрішн|εσωτερικό|dahili|"
    + _w("ramal")
    + r"|ekstensi|내선",
    "given-name": "|".join(
        [
            r"first ?name",
            r"given ?name",
            r"fore ?name",
            _w("fname"),
            _w("first"),
            r"vorname",
            r"prénom|prenom",
            r"nombre(?! ?(completo|y apellido|de usuario|de la empresa|de empresa|del titular))",
            _W + r"nome(?! ?(completo|e cognome|utente|azienda|da empresa|do titular|de usu))",
            r"voornaam|roepnaam",
            _W + r"imi[eę]",  # not "nacimiento"
            r"förnamn|fornamn",
            r"fornavn",
            r"etunimi",
            r"jméno|jmeno|" + _W + r"meno(?![a-z])(?! a priezvisko)",
            r"keresztnév|keresztnev|utónév",
            r"prenume",
            r"имя",
            r"(?<![а-яё])име(?![а-яёј])(?! и)",  # not inside "презиме" (family name) nor "имейл" (email)
            r"ім ?я(?![а-яіїє])",  # Ukrainian "Ім'я" (the apostrophe is read as a space)
            r"(?<![a-z])ime(?![a-z])(?! i prezime)",  # not inside "prezime" (family name) nor "imejl" (email)
            r"όνομα|ονομα",
            r"ad(?:ı|i)n(?:ı|i)z?$|" + _w("ad") + r"(?! soyad)",
            # not a company's or building's name (会社名, 建物名), not お名前; the given name's reading in kana
            r"(?<![\u4e00-\u9fff])名(?!字|前)|めい$|メイ$",
            r"الاسم الأول|الإسم الأول",
            r"שם פרטי",
            r"nama depan",
            r"ชื่อ(?! ?นามสกุล)",
            _w("tên"),  # Vietnamese; folded to "ten", which sits inside "content", "Kartennummer"
        ]
    ),
    "family-name": "|".join(
        [
            r"last ?name",
            r"sur ?name",
            r"family ?name",
            _w("lname"),
            _w("last"),
            r"nachname|familienname|zuname",
            _w("nom") + r"(?! (complet|de l ?entreprise|de la soci|d ?utilisateur|de rue))|nom de famille",
            r"apellido",
            r"cognome",
            r"sobrenome|apelido",
            r"achternaam|familienaam",
            r"nazwisko",
            r"efternamn",
            r"efternavn|etternavn",
            r"sukunimi",
            r"příjmení|prijmeni|priezvisko",
            r"vezetéknév|vezeteknev|családnév",
            # Romanian "Nume" (family name), not inside "prenume" (first name) nor "numero"
            r"(?<![a-z])nume(?:le)?(?![a-z])(?! (complet|companie|firma|utilizator))",
            r"фамили|прізвищ",
            r"презиме|prezime|prezimena",
            r"επώνυμο|επωνυμο",
            r"soyad",
            r"姓|苗字|名字|せい$|セイ$",  # the reading of the family name, in either kana
            r"성(?!함|별)",  # not 성함 (the name, politely) nor 성별 (sex)
            r"اسم العائلة|الكنية|اللقب",
            r"שם משפחה",
            r"nama belakang",
            r"นามสกุล",
            r"családi ?név",  # Hungarian "family name", beside "családnév"
        ]
    ),
    "additional-name": r"middle ?name|" + _w("middle") + r"|zweiter vorname|segundo nombre|secondo nome|"
    r"отчество|по батькові|patronymic|second ?name|" + _w("mname") + r"|" + _w("initial") + r"|"
    r"deuxième prénom|drugie imi|druhé jméno|бащино|ikinci ad|al doilea prenume|toinen nimi|"
    r"mellannamn|mellemnavn|mellomnavn|nama tengah|nome do meio|segundo nome|πατρώνυμο|όνομα πατρός",
    # The whole name, asked for in so many words ("Full name", "Vor- und Zuname", "ФИО").
    "full-name": "|".join(
        [
            r"full ?name",
            r"your ?name",
            r"first (and )?last ?name",  # "first & last name" reads "first last name"
            _W + r"name (and )?surname",  # not "Surname Surname", a label read twice
            r"vor ?(und )?(nach|zu) ?name",
            _W + r"nom complet|prénom et nom|prenom et nom",  # not "prénom complet"
            r"nombre completo|nombre y apellido",
            r"nome completo|nome e cognome",
            r"volledige naam|voor ?(en )?achternaam",
            r"imi[eę] i nazwisko",
            r"för ?(och )?efternamn|fullständigt namn",
            r"for ?(og )?efternavn|fulde navn|fullt navn",
            r"koko nimi",
            r"jméno a příjmení|meno a priezvisko",
            r"teljes név",
            r"nume complet|nume si prenume|nume și prenume",
            r"фио|(?<![а-яё])ф и о(?![а-яё])|полное имя|имя и фамилия|ім ?я (та|і) прізвище",
            r"име и презиме|ime i prezime",
            r"ονοματεπώνυμο",
            r"ad soyad|adı soyadı",
            r"氏名|姓名|ご氏名",
            r"성함|성명",
            r"الاسم الكامل",
            r"שם מלא",
            r"nama lengkap",
            r"ชื่อ ?นามสกุล",
            r"họ và tên|họ tên",
        ]
    ),
    # The word "name" alone: the whole name in English, the surname in French and German forms, and
    # nothing of the person's in "first name" or "company name" (see EXPLAINED_BY).
    "name": "|".join(
        [
            r"お名前|名前",
            r"이름",
            r"الاسم",
            _w("nama"),
            r"attention|" + _w("att"),
            # The person to ask for, on a business's address: a whole name
            r"contact ?person|contactpersoon|kontaktperson|ansprechpartner|personne de contact|"
            r"persona de contacto|persona di contatto|osoba kontaktowa|kontaktn[ií] osoba|yhteyshenkil|"
            r"kapcsolattart|persoana de contact|контактное лицо|контактна особа|"
            r"лице за контакт",
            _w("name"),
            _w("naam"),
            _w("namn"),
            _w("navn"),
            _w("nimi"),
            _w("nev") + r"|" + _w("név"),
            _w("imię"),
            r"^nom$",
            r"^nombre$",
            r"^nome$",
            r"^name$",
        ]
    ),
    "honorific-prefix": r"salutation|anrede|civilit|tratamiento|titolo|appellativo|aanhef|zwrot|"
    r"tilltal|"
    + _w("title")
    + r"|"
    + _w("titel")
    + r"|"
    + _w("titre")
    + r"|"
    + _w("prefix")
    + r"|"
    + _w("honorific")
    + r"|обращение|敬称|호칭|"
    # Salutation and title in more of the corpus's languages, and the pairs a salutation list starts with
    r"megszólítás|osloven|oslovljavanje|звернення|обръщение|προσφώνηση|τίτλος|hitap|forma de adresare|"
    r"tiltale|puhuttelu|sapaan|titulus|"
    + _w("título")
    + r"|"
    + _w("tytuł")
    + r"|"
    + _w("titul")
    + r"|"
    + _w("titlu")
    + r"|\bmrs? (mrs?|ms|miss)\b|herr frau|frau herr|\bm mme\b|\bsra? sra?\b",
    "sex": r"gender|"
    + _w("sex")
    + r"|geschlecht|sexe|género|genero|sesso|geslacht|płeć|plec|"
    + _w("kön")
    + r"|"
    + _w("køn")
    + r"|"
    r"sukupuoli|pohlaví|nem$|пол$|стать|φύλο|cinsiyet|性別|性别|성별|الجنس|"
    + _w("sexo")
    + r"|"
    + _w("genre")
    + r"|"
    + _w("genere")
    + r"|"
    + _w("spol")
    + r"|^neme$|kjønn|jenis kelamin",
    "organization": r"company|organi[sz]ation|"
    + _W
    + r"firm[ay]|"  # Czech, Slovak "firmy"
    + _W
    + r"firmen|unternehmen|entreprise|société|societe|"
    r"empresa|azienda|ragione sociale|raison sociale|razao social|"  # a company's legal name (it, fr, pt)
    r"bedrijf|onderneming|nazwa firmy|företag|foretag|virksomhed|società|tvrtk|preduzeće|naziv firme|фірм|επωνυμία|"
    r"yrity(?:s|ks)|společnost|spolocnost|cégnév|cegnev|" + _w("cég") + r"|companie|компани|компані|организац|"
    r"(?<![а-яёіїєґ])фирм|"
    r"εταιρ|şirket|sirket|会社|企業|公司|회사|الشركة|חברה|perusahaan|บริษัท|" + _w("business") + r"|" + _w("org"),
    # A job title, or the profession a shop asks for in its place ("Επάγγελμα", "Beruf")
    "organization-title": r"job ?title|position|" + _w("funktion") + r"|fonction|cargo|ruolo|役職|职位|"
    r"profession|occupation|" + _W + r"beruf|profesi[oó]n|ocupaci[oó]n|professione|zaw[oó]d|"
    r"επάγγελμα|επαγγελμα|профессия|професія|meslek|foglalkozás|職業|职业",
    # What kind of company it is, not its name: its type, size, trade or legal form.
    "organization-detail": r"company ?(type|size|industry|sector|activity|category)|"
    r"business ?(type|size|industry|sector|activity|category)|"
    r"organi[sz]ation ?(type|size|industry|sector|activity|category)|type of (company|business|organi[sz]ation)|"
    r"legal ?form|rechtsform|unternehmensgr|firmengr|forme juridique|taille de l ?entreprise|"
    r"secteur d ?activit|forma jur[ií]dica|tipo de empresa|tamaño de la empresa|forma giuridica|"
    r"tipo di azienda|δραστηριότητα|форма собственности",
    "street-address": "|".join(
        [
            r"address",
            _w("addr"),
            r"adress",
            r"adresse",
            r"direcci[oó]n|domicilio",
            r"indirizzo",
            r"endereço|endereco|morada",
            r"adres",
            r"osoite",
            r"adresa",
            r"cím$|" + _w("cim") + r"|címe|szállítási cím|számlázási cím",
            r"адрес|адреса",
            r"διεύθυνση|διευθυνση",
            r"住所|所在地|地址",
            r"주소",
            r"العنوان|عنوان",
            r"כתובת",
            r"alamat",
            r"ที่อยู่",
            r"địa chỉ",
        ]
    ),
    "street-name": "|".join(
        [
            r"street",
            r"straße|strasse|" + _w("str"),
            r"\brue\b|" + _w("voie"),
            # Italian "via" (street), not the "via" of "via e-mail", "via SMS" in many languages' consent texts
            r"calle|" + _w("via") + r"(?! (?:e ?mail|sms|text|whatsapp|post))",
            r"\brua\b|logradouro",
            r"straat",
            r"ulica|" + _w("ul"),
            r"gatuadress|" + _w("gata") + r"|gatan",
            r"gade|vejnavn|" + _w("vej") + r"|gateadresse|gatenavn",
            r"katu",
            r"ulice",
            r"utca|közterület",
            r"strada|" + _w("str"),
            r"улиц",
            r"οδός|οδος",
            r"sokak|cadde",
            r"番地|町名|街道",
            r"도로명",
            r"الشارع|شارع",
            r"רחוב",
            r"jalan",
        ]
    ),
    "house-number": "|".join(
        [
            r"house ?(no|num|nr)",
            r"street ?num|street ?no|building ?num",
            r"hausnummer|hausnr|haus ?nr|" + _w("hnr"),
            r"civico|" + _w("kbr") + r"|" + _w("numara"),  # Italian "N. civico", Croatian, Turkish number
            r"orientační|orientačné|súpisné|^αρ$|رقم المنزل",  # Czech, Slovak numbers; Greek "Αρ."
            r"numéro de rue|numero de rue|" + _w("numéro") + r"|^n$",  # "N°" alone reads "n"
            # not the Finnish postcode, phone number or area code
            r"(?<!posti)(?<!puhelin)(?<!suunta)numero|" + _w("num") + r"|" + _w("nro"),
            r"huisnummer|huisnr",
            r"numer domu|nr domu|" + _w("nr"),
            r"gatunummer",
            r"husnummer|husnr",
            r"talonumero",
            r"číslo popisné|cislo domu|číslo domu",
            r"házszám|hazszam",
            r"номер дома|(?<![а-яёіїєґ])дом(?![а-яёіїєґ])|будинок|будинку",  # Russian, Ukrainian "house"
            _w("house"),  # "House" beside "Flat"
            _w("exterior") + r"|" + _w("altura"),  # Mexican "número exterior", Argentine "altura"
            _w("broj"),  # Serbo-Croatian "number"
            r"αριθμός|αριθμος",
            r"bina no|kapı no",
            r"^numar$|nomor rumah|no rumah",  # Romanian "Număr" alone; Indonesian "house number"
            r"رقم المبنى|رقم البناية",
            r"门牌号|門牌號|מספר בית",  # Chinese, Hebrew "house number"
            _w("no") + r"$",
            r"number$",
        ]
    ),
    "address-line2": "|".join(
        [
            r"address ?(line)? ?2|address ?two|line ?2|" + _w("address2") + r"|addr2|street2|street ?2",
            r"apartment|" + _w("apt") + r"|suite|" + _w("unit") + r"|" + _w("flat") + r"|" + _w("floor"),
            r"adresszusatz|zusatz|adresse 2|adresse ?ligne ?2|complément|complement",
            r"wohnung|stockwerk|etage",
            r"appartement|bâtiment|batiment|escalier|" + _w("porte"),  # French door (of a flat)
            r"dirección 2|direccion 2|piso|puerta|departamento|depto|escalera",
            r"indirizzo 2|interno|" + _W + r"scala|appartamento|presso",
            r"endereço 2|complemento|" + _w("andar"),  # Portuguese floor
            r"toevoeging|adresregel 2",
            r"lokal|mieszkani|numer lokalu|" + _w("m") + r"|" + _w("klatka"),  # Polish staircase
            r"stiege|turnummer|boîte|boite",  # Austrian staircase and door ("Türnummer"), Belgian letter box
            r"mailbox ?(number|no|nr)|busnummer|bus ?nr",  # a Belgian address's letter box number
            r"lägenhet|" + _w("c ?o"),  # "c/o" reads "c o"
            r"lejlighed|etage",
            r"asunto|huoneisto|" + _w("ovi") + r"|" + _w("porras") + r"|" + _w("rappu"),  # Finnish door, stair
            _w("bytu?") + r"|" + _w("patro") + r"|" + _w("vchod") + r"|poschodie",
            r"emelet|ajtó|lépcsőház|épület|epulet|kiegészítés|kiegeszites|lakás",  # ... building, addition, flat
            _w("interior") + r"|блок",  # Mexican "número interior"; Bulgarian block of flats
            _w("stairs?") + r"|staircase|locuinț|locuint",  # Romanian "locuință" (dwelling)
            r"apartament|" + _w("ap") + r"|" + _w("bloc") + r"|" + _w("block") + r"|" + _w("blk") + r"|scara|etaj",
            r"apartman|apartemen|" + _w("lantai") + r"|" + _w("blok") + r"|" + _w("bloco"),  # Turkish, Indonesian
            r"broj stana|" + _w("sprat") + r"|byggnad|oppgang|kat no",  # Serbo-Croatian, Swedish, Norwegian
            r"квартир|кв$|этаж|етаж|подъезд|корпус|стан$|^stan$|апартамент|строение|під ?їзд|поверх",
            r"допълнение|дополнение|доповнення",  # Bulgarian, Russian, Ukrainian "addition" (to the address)
            r"διαμέρισμα|όροφος|κτίριο",
            r"شقة|الطابق|الدور|leilighet",  # Arabic flat, floor (twice); Norwegian flat
            r"daire|kat$",
            r"^(the )?door$|door ?(number|no|nr|code|bell)|doorbell|^addition$|address ?addition",
            r"建物|マンション|ビル|部屋|号室",
            r"상세주소|상세 주소",
            r"الشقة|الطابق|رقم الشقة",
            r"דירה|קומה",
            r"additional ?(info|address)|landmark|care of|building|" + _w("bldg"),
        ]
    ),
    "address-line3": r"address ?(line)? ?3|address3|line ?3|street3|adresse 3",
    "address-level2": "|".join(
        [
            r"city|town|" + _w("ville") + r"|localit|municipal|suburb|settlement",  # "Település" in English
            r"stadt|" + _w("ort") + r"|wohnort|gemeinde",
            r"ciudad|población|poblacion|localidad|municipio",
            r"città|citta|comune|località",
            r"commune",  # French
            r"cidade|município|localidade",
            r"plaats|woonplaats|" + _W + r"stad|gemeente",
            r"miasto|miejscowo",
            r"stad$|" + _w("ort") + r"|postort|ortsnamn",
            # Danish and Norwegian "by" (town) is a label alone or after the postcode ("Postnr. og by"); read
            # anywhere, it was English's "by" ("By creating an account", "Pay by card", "Sort by").
            r"^by$|^by omr|(?:og|postnr|postnummer) by$|postdistrikt|poststed|" + _w("sted"),
            r"kaupunki|postitoimipaikka|paikkakunta",
            r"město|mesto|obec",
            r"város|varos|település|helység",
            r"oraș|oras|localitate",
            r"город|населённый пункт|населенный пункт|місто|населений пункт|населено място",
            r"град|" + _w("grad") + r"|" + _w("mjesto"),
            r"πόλη|πολη",
            r"şehir|sehir|" + _w("il") + r"$",
            r"市区町村|市町村|城市|市$",
            r"시 ?군 ?구|도시",
            r"المدينة|مدينة",
            r"עיר|יישוב",
            r"kota|kabupaten",
            r"เมือง|อำเภอ",
            r"thành phố",
        ]
    ),
    "address-level1": "|".join(
        [
            r"state|province|region|county|prefecture|territory|emirate|governorate|voivodeship|" + _w("uf"),
            r"bundesland|kanton|" + _w("land") + r"kreis",
            r"région|departement|département|canton",
            r"provincia|estado|región|comunidad",
            r"regione|provincia",
            r"provincie",
            r"województwo|wojewodztwo",
            _W + r"län$|landskap|fylke|maakunta|osavaltio|provinssi",
            r"kraj$|okres",
            r"megye",
            r"județ|judet",
            r"област|регион|регіон|край|облас|oblast|županij",
            r"νομός|περιοχή|περιφέρεια",
            r"都道府県|省|州",
            r"시 ?도",
            r"المنطقة|المحافظة|الولاية|الإمارة",
            r"מחוז",  # Hebrew "district", Israel's first level
            r"provinsi|propinsi",
            r"จังหวัด",
            r"tỉnh",
        ]
    ),
    "address-level3": r"district|neighbo(u)?rhood|suburb|barrio|bairro|colonia|quartier|"
    r"kecamatan|kelurahan|ilçe|ilce|mahalle|район|περιοχή|区$|区县|县$|地区|동 ?읍 ?면|الحي|الحى|منطقة|"
    r"stadtteil|ortsteil|dzielnica|kerület|kaupunginosa|квартал|delegación|comuna|"
    + _w("wijk")
    + r"|"
    + _w("semt")
    + r"|"
    + _w("gmina")
    + r"|"
    + _w("powiat")
    + r"|"
    + _w("desa"),
    "postal-code": "|".join(
        [
            # "postnumber": the Nordic word in English; "P.C." only as a whole label
            r"zip|post ?code|postal|postcode|post ?nr|post ?number|^p ?c$",
            r"postleitzahl|" + _w("plz"),
            r"code postal|" + _w("cp") + r"|codepostal",
            r"código postal|codigo postal|cod postal|" + _w("cep"),
            r"codice postale|" + _w("cap"),
            r"postcode",
            r"kod pocztowy|" + _w("kod"),
            r"postnummer|postnr",
            r"postinumero",
            r"psč|" + _w("psc"),
            r"irányítószám|iranyitoszam|irsz",
            r"cod poștal|cod postal",
            r"индекс|почтовый код|індекс",
            r"пощенски код|пощ код|поштански број|поштанскиброј|postanski broj|postna stevilka",
            # "Τ.Κ." is read as "τ κ", and Greek pages write it in Latin capitals too; "Ταχ. Κώδικας"
            r"ταχυδρομικός κώδικας|ταχ κώδικ|(?<![α-ω])τ ?κ(?![α-ω])|^t ?k$",
            r"posta kodu",
            r"郵便番号|〒|邮编|邮政编码|郵遞區號",
            r"우편번호",
            r"(الرمز|الرقم) البريد[يى]",
            r"מיקוד",
            r"kode pos",
            r"รหัสไปรษณีย์",
            _w("pin ?code") + r"|" + _w("eircode"),
        ]
    ),
    "country": "|".join(
        [
            r"country",
            r"" + _w("land") + r"(?! ?(code|vorwahl))",
            r"" + _w("pays"),
            r"" + _w("país") + r"|" + _w("pais"),
            r"paese|nazione",
            r"kraj$|" + _w("kraj"),
            r"maa$|^maa alue$",  # Finnish "Maa/alue", country or area
            _W + r"země|" + _W + r"zeme|krajina",
            r"ország|orszag",
            _w("țara") + r"|" + _w("tara"),
            r"стран|країна|държава|држава|država|drzava",  # ... Serbian, Croatian, Slovene in Latin
            r"χώρα",
            r"ülke|ulke",
            r"国|国家|國家",
            r"국가",
            r"الدولة|البلد",
            r"מדינה|ארץ",
            r"negara",
            r"ประเทศ",
        ]
    ),
    "cc-name": r"card ?holder|name on (the )?card|cardholder|holder name|name of card|karteninhaber|"
    r"inhaber|titulaire|nom sur la carte|titular|nome sul|intestatario|kaarthouder|naam op|"
    r"właściciel karty|posiadacz|kortinnehav|kortholder|kortin ?haltija|titolare( della)? carta|držitel|kártyabirtokos|"
    r"titularul|владел|имя на карте|κάτοχος|kart sahibi|名義|持卡人|카드 소유자|اسم حامل|ccname|"
    r"na karcie|na kartě|kártyatulajdonos|kortindehaver|держатель карты|власник картки|κατόχου|"
    r"kart üzerindeki|pemegang kartu|vlasnika kartice|картодържател|"
    r"cc ?name|card ?name|name ?on ?card",
    "cc-number": r"card ?(number|no|num|nr)|credit ?card|debit ?card|"
    + _w("ccn")
    + r"|cc ?num|kartennummer|kreditkarte|numéro de (la )?carte|numero de tarjeta|número de tarjeta|"
    r"numero (della |di )?carta|número do cartão|numero do cartao|kaartnummer|numer karty|kortnummer|"
    r"номер картки|номер на картата|platobnej karty|"
    r"kortin numero|číslo karty|kártyaszám|kartyaszam|numărul cardului|numar card|номер карты|"
    r"αριθμός κάρτας|kart numarası|カード番号|卡号|卡號|카드 번호|카드번호|رقم البطاقة|מספר כרטיס|"
    r"nomor kartu|broj kartice|број картице|cardnum|" + _w("pan"),
    "cc-exp": r"expir|exp ?date|valid ?(thru|through|until)|gültig|gultig|ablauf|verfall|"
    r"date d ?expiration|expiration|vencimiento|caducidad|scadenza|validade|vervaldatum|geldig tot|"
    r"data ważności|ważna do|utgångsdatum|udløb|voimassa|platnost|lejárat|expirare|срок действия|"
    r"λήξη|son kullanma|有効期限|有效期|만료|تاريخ الانتهاء|תוקף|"
    r"utløp|термін дії|masa berlaku|유효기간|datum isteka|валидна до|"
    + _w("exp")
    + r"|(?<!dd )"  # "MM / YY", not a birth date's "DD/MM/YYYY"
    + _w("mm ?yy(yy)?"),
    "cc-csc": r"cvv|cvc|" + _w("ccv") + r"|" + _w("csc") + r"|" + _w("cvn") + r"|security ?code|card ?code|"
    r"verification|prüfziffer|prufziffer|prüfnummer|kartenprüf|cryptogramme|código de seguridad|"
    r"codice di sicurezza|código de segurança|beveiligingscode|kod zabezpieczający|kod cvv|"
    r"säkerhetskod|kontrolcifre|turvakoodi|bezpečnostní kód|biztonsági kód|cod de securitate|"
    r"код безопасности|κωδικός ασφαλείας|güvenlik kodu|セキュリティコード|安全码|보안코드|رمز الأمان|cid$|"
    r"sicherheitscode|sikkerhedskode|sikkerhetskode|kode keamanan|sigurnosni kod|код за сигурност",
    "cc-type": r"card ?type|card ?brand|kartentyp|kartenart|type de carte|tipo de tarjeta|"
    r"tipo di carta|kaarttype|typ karty|korttyp|cc ?type|credit ?type|payment ?method|zahlungsart|cardtype",
    "month": r"month|"
    + _w("mm")
    + r"|monat|"
    + _w("mois")
    + r"|"
    + _w("mes")
    + r"|"
    + _w("mese")
    + r"|maand|miesi|månad|maaned|måned|kuukausi|měsíc|hónap|"
    + _w("luna")
    + r"|месяц|μήνας|"
    + _w("ay")
    + r"|月|월|الشهر|חודש|bulan",
    "year": r"year|"
    + _w("yy")
    + r"|"
    + _w("yyyy")
    + r"|"
    + _w("jjjj")  # Dutch and German date masks ("DD-MM-JJJJ", "TT.MM.JJJJ")
    + r"|"
    + _w("aaaa")  # French, Spanish, Portuguese and Italian ("JJ/MM/AAAA", "DD/MM/AAAA")
    + r"|"
    + _w("jahr")
    + r"|"
    + _w("année")
    + r"|"
    + _w("annee")
    + r"|"
    + _w("año")
    + r"|"
    + _w("ano")
    + r"|"
    + _w("anno")
    + r"|"
    + _w("jaar")
    + r"|"
    + _w("rok")
    + r"|"
    + _w("år")
    + r"|"
    + _w("vuosi")
    + r"|"
    + _w("év")
    + r"|"
    + _w("anul")  # Romanian "the year" ("an" alone is the English article)
    + r"|год|έτος|"
    + _w("yıl")
    + r"|年|년|السنة|שנה|tahun",
    "day": r""
    + _w("day")
    + r"|"
    + _w("dd")
    + r"|"
    + _w("tt")  # German "TT.MM.JJJJ"
    + r"|"
    + _w("gg")  # Italian "GG/MM/AAAA"
    + r"|"
    + _w("tag")
    + r"|"
    + _w("jour")
    + r"|"
    + _w("día")
    + r"|"
    + _w("dia")
    + r"|"
    + _w("giorno")
    + r"|"
    + _w("dag")
    + r"|"
    + _w("dzień")
    + r"|"
    + _w("päivä")
    + r"|"
    + _w("den")
    + r"|"
    + _w("nap")
    + r"|"
    + _w("zi")
    + r"|"
    + _w("ziua")  # Romanian "the day", as date selects say it
    + r"|день|ημέρα|"
    + _w("gün")
    + r"|日$|^日|اليوم|יום",
    "bday": r"birth|geburt|naissance|nacimiento|nascita|nascimento|geboorte|urodzeni|födelse|"
    r"fødsel|syntymä|narozen|narodenia|születés|nașter|naster|рожден|народж|раждане|rođenj|rodjenj|рођењ|"
    r"γέννησ|doğum|dogum|"
    r"生年月日|誕生日|出生|생년월일|생일|الميلاد|לידה|lahir|" + _w("dob") + r"|bday|birthday|"
    r"anniversaire|cumpleaños|compleanno|verjaardag|urodzin",
    "username": r"user ?name|user ?id|login|" + _w("user") + r"|benutzer|nom d ?utilisateur|identifiant|"
    r"usuario|utente|nome utente|gebruikersnaam|użytkownik|uzytkownik|användarnamn|brugernavn|brukernavn|"
    r"nama pengguna|korisničko ime|потребителско име|"
    r"käyttäjä|uživatel|felhasználó|utilizator|пользовател|логин|користувач|χρήστη|kullanıcı|"
    r"ユーザー|ログインid|用户名|帳號|账号|사용자|아이디|اسم المستخدم|שם משתמש|"
    + _w("nick")
    + r"|"
    + _w("account")
    + r"|"
    + _w("uid")
    + r"|"
    + _w("login id")
    + r"|"
    + _w("signin"),
    "password": r"pass ?word|passwd|"
    + _w("pwd")
    + r"|"
    + _w("pw")
    + r"|"
    + _w("pass")
    + r"|kennwort|passwort|mot de passe|contraseña|contrasena|clave|password|senha|wachtwoord|"
    r"hasło|haslo|lösenord|losenord|adgangskode|salasana|heslo|jelszó|jelszo|parola|пароль|"
    r"лозинка|κωδικός|şifre|sifre|パスワード|密码|密碼|비밀번호|كلمة المرور|كلمة السر|סיסמה|"
    r"kata sandi|รหัสผ่าน|mật khẩu",
    "new": r""
    + _w("new")
    + r"|create|choose|neues|nouveau|nuevo|"
    + _w("nuova")
    + r"|"
    + _w("nieuwe?")
    + r"|nowe|nytt|uusi|"
    + _w("nové")
    + r"|"
    + _w("új")
    + r"|"
    r"noua|новый|νέος|yeni|新しい|新|새|جديدة|חדשה|sign ?up|register|registr|"
    # "create" and "sign up" as the buttons of sign-up forms say them ("Créer un compte", "Kayıt ol")
    r"créer|crear|criar|erstellen|aanmaken|utwórz|załóż|skapa|opret|vytvořit|létrehoz|создать|створити|"
    r"δημιουργ|oluştur|creează|luo tili|buat akun|"
    + _w("crea")
    + r"|cadastr|регистрац|реєстрац|εγγραφ|kayıt ol|^daftar$|作成|创建|注册|가입|إنشاء|"
    r"新規登録|会員登録|登録する|を登録",  # Japanese "register", not the "registered" of "ご登録のメールアドレス"
    "current": r"current|" + _w("old") + r"|existing|aktuell|altes|actuel|actual|attuale|huidig|obecne|nuvarande|"
    r"nykyinen|současné|jelenlegi|текущ|старый|現在|当前|현재|الحالية",
    # Opening an account that exists, as sign-in buttons and headings say it. Words that also mean joining
    # are left out: German "anmelden" and Dutch "aanmelden" sign up for newsletters too, Italian "entra"
    # invites ("Entra nel mondo ..."); Russian "вход" is kept, on a form it is the way in.
    "sign-in": _w("sign ?in")
    + r"|"
    + _w("log ?in")
    + r"|"
    + _w("log ?on")
    + r"|einloggen|se connecter|connexion|identifiez vous|iniciar sesión|inicia sesión|inicia la sessió|"
    r"iniciar sessão|"
    + _w("acceder")
    + r"|"
    + _w("accedir")
    + r"|"
    + _w("accedi")
    + r"|"
    + _w("ingresar")
    + r"|"
    + _w("logga in")
    + r"|"
    + _w("log ind")
    + r"|"
    + _w("logg inn")
    + r"|inloggen|zaloguj|logowanie|kirjaudu|přihlásit|přihlášení|prihlásiť|"
    r"bejelentkez|autentificare|conectare|войти|вход|авториз|увійти|вхід|σύνδεση|είσοδος|giriş yap|"
    r"oturum aç|daxil ol|ログイン|サインイン|登录|登入|登錄|로그인|تسجيل الدخول|התחבר|" + _w("masuk"),
    "one-time-code": r"one ?time|" + _w("otp") + r"|verification ?code|verify ?code|sms ?code|"
    r"2fa|two ?factor|auth(entication)? ?code|bestätigungscode|code de vérification|"
    r"código de verificación|codice di verifica|verificatiecode|kod weryfikacyjny|"
    r"код подтверждения|認証コード|确认码|验证码|驗證碼|인증번호|رمز التحقق|"
    + _w("pin")
    + r"|"
    + _w("mfa")
    + r"|"
    + _w("totp")
    + r"|security ?code sent|"
    # a code for one use: German, French, Spanish and Portuguese, Italian, Polish, Czech and Slovak,
    # Hungarian, Finnish, Scandinavian, Russian
    r"einmal ?(code|passwort|kennwort)|usage unique|(solo|único|unico) uso|uso único|monouso|jednorazow|"
    r"jednoráz|egyszer használatos|egyszeri kód|kertakäyt|engangskode|engångskod|одноразов",
    "search": r"search|suche|recherche|buscar|busca|cerca|zoeken|szukaj|sök|søg|haku|hledat|kereses|"
    r"căutare|поиск|αναζήτηση|arama|検索|搜索|검색|بحث|חיפוש|" + _w("cari") + r"|" + _w("q") + r"|query|keyword",
    # A number that names a person or a company to the state (tax, identity, the company register):
    # nothing Proffer holds, and what a company's box asks for when it says so ("Company VAT").
    "vat-number": _W
    + r"vat|"
    + _W
    + r"tva|ust ?id|umsatzsteuer|"
    + _w("iva")
    + r"|"
    + _w("nip")
    + r"|"
    + _w("btw")
    + r"|partita|tax ?(id|number|code)|steuernummer|"
    + _w("inn")
    + r"|"
    + _w("dič")
    + r"|adószám|"
    r"codice fiscale|"
    + _w("cif")
    + r"|"
    + _w("nif")
    + r"|"
    + _w("cnpj")
    + r"|"
    + _w("cpf")
    + r"|"
    + _w("rut")
    + r"|"
    + _w("dni")
    + r"|"
    + _w("pesel")
    + r"|personnummer|cpr|henkilötunnus|"
    r"rodné číslo|cnp|passport|id number|identity|ausweis|" + _w("ssn") + r"|social security|"
    r"national id|" + _w("tckn") + r"|kimlik|"
    r"company ?(registration|register|id|number)|business ?(registration|id)|commercial regist|"
    r"registration ?number|"
    r"organi[sz]ation ?(number|nr|no)|organisa(sjon|tion)snummer|y ?tunnus|handelsregister|"
    r"siret|siren|" + _w("kvk") + r"|" + _w("regon") + r"|" + _w("ičo") + r"|" + _w("ico"),
    # A name the person gives an address in their address book ("Home", "Work"): nothing of theirs.
    # A second surname, the mother's in Spanish-speaking countries: Proffer keeps one family name, and this
    # box asks for another part of the name (the "apellido" explained away, see EXPLAINED_BY).
    "second-surname": r"segundo apellido|apellido materno|second (sur|last ?)name",
    "address-label": r"address ?(nick ?name|label|title|name|alias)|name of (the |your )?address|"
    r"nom de l ?adresse|libelle de l ?adresse|"
    r"description de l ?adresse|label alamat|nama alamat|adres (basligi|başlığı|adi|adı)|"
    r"nombre de (la )?direccion|alias de (la )?direccion|adressbezeichnung|название адреса|"
    r"nome do endereco|nome dell ?indirizzo|adresnaam",
    # Directions for the courier: words about the place, not a line of the address.
    "delivery-notes": r"landmark|directions to|delivery (note|instruction|comment)|instructions to find|"
    r"(additional|special|delivery|courier) instructions|"
    r"(note|notes|comments?|message|information|instructions?) (for|to) the (courier|driver|delivery)|"
    r"referencias|punto de referencia|ponto de referencia|indicaciones para|hinweis fur den (zusteller|fahrer)|"
    r"lieferhinweis|instructions de livraison|indicazioni per il corriere|ориентир|комментарий для курьера",
    "coupon": r"coupon|voucher|promo|gift ?card|gutschein|rabatt|code promo|cupón|cupon|buono|"
    r"kortingscode|kupon|rabattkod|alennuskoodi|slevový|kupón|cupon|купон|промокод|κουπόν|クーポン|优惠",
    "membership-number": r"member(ship)? ?(number|no|id|card)|loyalty ?(number|card|id)|"
    r"rewards? ?(number|card|id)|kundenkarte|mitgliedsnummer|payback|carte de fidélité|"
    r"numéro de fidélité|tarjeta de fidelidad|carta fedeltà|klantenkaart|karta lojalno|"
    r"medlemsnummer|kanta ?asiakas|bonuskarte|card ?number.*(loyalty|club)|club ?card|"
    r"会員番号|会员号|회원번호",
    "loyalty-enroll": r"join|become a member|sign me up|membership|loyalty|rewards|bonus ?program|"
    r"kundenclub|mitglied werden|programme de fidélité|fidelidad|fedeltà|klantenclub|"
    r"program lojalno|kundklubb|kundeklub|kanta ?asiakas|věrnostní|hűségprogram|"
    r"программ[аы] лояльности|会員登録|加入会员|멤버십",
    "marketing": r"newsletter|news ?letter|subscribe(?!rs? (agreement|terms))|offers|promotions?|marketing|updates|"
    r"sign up for (our )?e ?mails?|"
    # "news" as something sent to the person, not a word of a name ("Fox News Terms of Use", a menu's "News");
    # a "Subscriber Agreement" is a contract's name, not a subscription
    r"(important|latest|service|our) news|news (and )?(offers|updates|events|special)|(receive|get) news|news ?e ?mail|"
    r"special offers|exclusive|angebote|abonnieren|aktionen|werbung|infolettre|offres|"
    r"boletín|boletin|ofertas|promociones|offerte|iscriviti|nieuwsbrief|aanbiedingen|"
    r"oferty|nyhetsbrev|erbjudanden|nyhedsbrev|tilbud|uutiskirje|tarjouk|novinky|hírlevél|"
    r"ajánlat|noutăți|oferte|рассылк|новост|акци|ενημερωτικό|bülten|kampanya|"
    r"メールマガジン|メルマガ|お知らせ|订阅|뉴스레터|النشرة|ניוזלטר",
    "opt-out": r"do not|" + _w("don ?t") + r"|nicht|ne pas|ne souhaite pas|no deseo|no quiero|non desidero|"
    r"niet|nie chcę|" + _w("inte") + r"|ikke|en halua|nechci|nem kérek|nu doresc|не хочу|δεν|istemiyorum|"
    r"希望しない|不要|원하지 않",
    "terms": r"terms|conditions|agb|geschäftsbedingungen|conditions générales|cgv|cgu|"
    r"términos|condiciones|termini|condizioni|voorwaarden|regulamin|villkor|vilkår|ehdot|"
    r"podmínk|feltétel|termeni|условия|соглаш|όρους|koşul|sözleşme|利用規約|条款|약관|الشروط|"
    r"תנאי|privacy|datenschutz|confidentialit|privacidad|gdpr|rgpd|policy|i ?agree|i ?accept|"
    r"akzeptiere|j ?accepte|acepto|accetto|ga akkoord|akceptuj|godkänner|accepterer|hyväksyn|souhlas",
    # Kinds for consent boxes only. The model was trained on the kinds above, so sharper versions of
    # "opt-out" and "loyalty-enroll" are kinds of their own (features the model has no weight for).
    # A refusal is a negation of wanting, receiving or agreeing, not any "not": "do not miss our offers" is
    # an opt-in, and "you can opt out at any time" speaks of the right to withdraw. A wrong refusal is worse
    # than a missed one: ticking it would subscribe the person.
    "refusal": "|".join(
        [
            r"(do|does) ?n[o ]?t (want|wish|like|agree|consent|accept)|don t (want|wish|like|agree)",
            r"not (wish |want )?to (receive|be contacted|get)|prefer not",
            _w("keine[nmrs]?"),
            r"nicht (erhalten|zusenden|kontaktier|informier|einverstanden)|(mochte|will|wunsche) nicht",
            r"ne (souhaite|veux|desire) pas|ne pas recevoir",
            _w("no (deseo|quiero|acepto)"),
            _w("non (desidero|voglio|acconsento)"),
            _w("niet (ontvangen|wil)"),
            _w("wil (ik )?geen"),
            r"nie (chce|wyrazam)",
            _w("(vill|onskar) inte"),
            _w("(onsker|vil) ikke"),
            _w("ikke modtage"),
            _w("en halua"),
            r"nechci|nesouhlasim|nechcem|nesuhlasim|nem kerek|nu (doresc|vreau|sunt de acord)",
            r"не хочу|не желая|не получать|δεν (θελω|επιθυμω)|istemiyorum|希望しない|不要|원하지 않",
        ]
    ),
    # "Untick this box if you do not want offers" is an opt-in, pre-ticked, whatever its "not" says.
    "untick": r"untick|un tick|uncheck|deselect|remove the tick|decoche|desmarca|deseleziona|abwahlen|"
    r"hakchen entfernen|entfernen sie das hakchen|odznacz|avmarkera|fjern markeringen|poista valinta",
    # "Keep me signed in" keeps a session open; it is no consent to anything, whatever the box is named.
    "stay-signed-in": r"(keep|stay|remain) (me )?(signed|logged) in|remember me|angemeldet bleiben|"
    r"eingeloggt bleiben|rester connecté|se souvenir de moi|mantener(me)? (la )?sesión|mantenerme conectado|"
    r"recordarme|ricordami|resta collegato|ingelogd blijven|onthoud mij|zapamiętaj mnie|nie wylogowuj|"
    r"kom ihåg mig|husk mig|husk meg|muista minut|zapamatovat|maradjak bejelentkezve|ține mă minte|"
    r"запомнить меня|запам ятати|θυμήσου με|beni hatırla|oturumu açık tut|"
    r"ログインしたまま|ログイン状態を保持|自動ログイン|自動的にログイン|"
    r"记住我|保持登录|로그인 유지|로그인 상태 유지|تذكرني|זכור אותי",
    # Joining must name a club or programme: "join 40,000 outdoor fans" is a newsletter.
    "enrolment": r"join (our |the |us )?([a-z]+ ){0,3}(club|rewards|program|programme|loyalty|membership)|"
    r"become a member|" + _w("membership") + r"|loyalty|rewards? (program|club|scheme|member)|bonus ?program|"
    r"earn (bonus|points)|collect points|kundenclub|kundenkarte beantragen|mitglied werden|"
    r"programme de fidelite|carte de fidelite|programa de fidelidad|programma fedelta|klantenclub|"
    r"program lojalno|kundklubb|kundeklub|kanta ?asiakas|vernostni|husegprogram|"
    r"программ[аы] лояльности|会員登録|加入会员|멤버십",
    "commercial-contact": r"commercial communication|communications? commerciales?|comunicaciones comerciales|"
    r"comunicazioni commerciali|informacion comercial|kommerzielle kommunikation|werbliche|discounts?|deals|"
    r"keep me (updated|posted|informed)|rabais|rabatt|descuentos?|sconti|korting|rabaty",
    # A cookie banner's switches speak of marketing too; they are not the form's consent to be contacted.
    "cookie-consent": r"cookie",
    # A box a page sets out to catch what fills it unseen: a bot's trap ("honeypot"), or a box that takes
    # the browser's own autofill in place of the real one ("fakeusernameremembered"). Read in programmer
    # names only (see safety.py): in a label, "fake" is a word about something else.
    "decoy": r"honey ?pot|" + _W + r"fake|decoy|bot ?trap",
    # The answer to a security question ("What was your first pet's name?"), which some sites ask for in
    # a password box: a secret, but not the password a password manager keeps.
    "security-answer": r"security ?question|secret ?question|"
    + _w("answer")
    + r"|sicherheitsfrage|antwort|question secr[eè]te|r[eé]ponse|pregunta (de )?seguridad|respuesta|"
    r"domanda (di )?sicurezza|risposta|pergunta (de )?seguran[cç]a|resposta|antwoord|pytanie|odpowied|"
    r"bezpečnostní otázk|odpověď|odpoved|biztonsági kérdés|válasz|valasz|svar|vastaus|контрольный вопрос|"
    r"ответ|відповід|απάντηση|güvenlik sorusu|cevap|jawaban|秘密の質問|答え|安全问题|答案|보안 ?질문|답변|"
    r"سؤال الأمان|الإجابة|שאלת אבטחה|תשובה",
    # "(optional)" says nothing about what a field holds, but optional fields are more often a second
    # address line or a company than a name: a kind of its own, so the model weighs it apart.
    "optional": r"optional|facultati|opcional|opzionale|freiwillig|valfri|valgfri|nepovinn|nieobowi|"
    r"необязательн|προαιρετικ|isteğe bağlı|任意",
    "billing-section": r"billing|" + _w("bill") + r"|invoice|rechnung|factura|facturation|fatturazione|"
    r"faturamento|factuur|faktur|fakturering|laskutus|fakturač|számláz|szamlaz|facturare|плат[её]ж|"
    r"счет|τιμολόγ|fatura|請求|账单|帳單|청구|الفواتير|חיוב|penagihan|payment ?address|" + _w("payment"),
    "shipping-section": r"shipping|" + _w("ship") + r"|delivery|deliver|liefer|versand|livraison|"
    r"envío|envio|entrega|spedizione|consegna|bezorg|levering|verzend|dostaw|leverans|toimitus|"
    r"doručen|doruc|szállít|szallit|livrare|доставк|αποστολ|παράδοσ|teslimat|gönderim|お届け|配送|"
    r"收货|送貨|배송|الشحن|التوصيل|משלוח|pengiriman|recipient|" + _w("receiver") + r"|"
    # The one who receives the parcel, in the corpus's languages ("Empfänger", "Destinatario", "Alıcı")
    r"empfänger|destinataire|destinatar|odbiorc|příjemce|prijemce|címzett|cimzett|получател|одержувач|"
    r"alıcı|ontvanger|mottagare|modtager|mottaker|vastaanottaja|παραλήπτ|penerima|受取人|收件人|수령인|"
    r"받는 ?분|المستلم|נמען",
}

KINDS: tuple[str, ...] = tuple(KEYWORDS)

# Kinds that say what a form does or what a box is not, read by rules only and never weighed as evidence of
# a field's type. Trained as features, "sign-in" taught the model the corpus's habit of calling a sign-in
# form's email box a username, and Proffer puts the email where an email is asked for.
RULE_ONLY_KINDS = frozenset({"sign-in", "stay-signed-in", "decoy", "security-answer"})

# The two addresses of a checkout, by the kinds that name them.
SECTION_OF_KIND = {"billing-section": "billing", "shipping-section": "shipping"}


def one_section(kinds: Collection[str]) -> str | None:
    """ "billing" or "shipping" when the kinds name one of the two addresses and not the other."""
    named = [section for kind, section in SECTION_OF_KIND.items() if kind in kinds]
    return named[0] if len(named) == 1 else None


# A generic word explained away by a specific kind beside it: the "number" of "phone number", "card
# number" or "VAT number" is not a house number, and the "name" of "company name", "name on card",
# "user name" or "street name" is not the person's name, nor is a place's ("City name", "Nom de la
# ville", "Име на квартала"), and the "address" of "e-mail address" (in every
# language: "adresse e-mail", "E-Mail-Adresse") is not a postal one. The "first" and "last" of "first
# and last name" ask for the whole name, not for either half, and a "second first name" ("Segundo nombre",
# "deuxième prénom") is a middle name. A phone's code ("Telephone code", "Phone prefix") is the calling
# code alone.
_PLACES = frozenset({"address-level1", "address-level2", "address-level3", "country"})  # "City name", "Име на града"
EXPLAINED_BY: dict[str, frozenset[str]] = {
    "house-number": frozenset(
        {"tel", "tel-extension", "cc-number", "cc-csc", "vat-number", "membership-number", "postal-code", "coupon"}
    ),
    "name": frozenset(
        {
            "organization",
            "cc-name",
            "username",
            "street-name",
            "given-name",
            "family-name",
            "additional-name",
            "address-label",
            *_PLACES,
        }
    ),
    "full-name": frozenset({"organization", "cc-name", "username", "street-name", *_PLACES}),
    # "Company VAT", "Company position", "Company size"
    "organization": frozenset({"vat-number", "organization-title", "organization-detail"}),
    "given-name": frozenset({"full-name", "additional-name", *_PLACES}),  # "Segundo nombre", "zweiter Vorname"
    "family-name": frozenset({"full-name", "second-surname", "address-label", *_PLACES}),
    "street-address": frozenset({"email", "address-label", "delivery-notes"}),  # "instructions to find the address"
    "honorific-prefix": frozenset({"address-label", "organization-title"}),  # the "title" of "job title"
    # The bare "kód" of a discount code ("Slevový kód"). Not a one-time code's: India's "PIN code" is a postcode.
    "postal-code": frozenset({"coupon"}),
    "tel": frozenset({"tel-country-code"}),  # the "phone" of "phone code", "Telephone code", "Prefisso telefonico"
    "password": frozenset({"tel-country-code", "coupon"}),  # the Greek "code" of a calling code, a coupon
}


def _explain_away(kinds: Collection[str]) -> tuple[str, ...]:
    return tuple(k for k in kinds if not (k in EXPLAINED_BY and EXPLAINED_BY[k].intersection(kinds)))


# One alternation with a named group per kind would stop at the first kind that matches; kinds overlap
# ("card number" is both cc-number and a number), so each kind keeps its own pattern, and a literal index
# (``literals.py``) says which few alternatives of which patterns a string could match before any is
# searched. Patterns are folded like the text they read, so "código" in the table matches "codigo" on
# the page. Nothing is compiled at import: the index compiles the alternatives it searches on first use.
PATTERNS: tuple[tuple[str, str], ...] = tuple((kind, fold(pattern)) for kind, pattern in KEYWORDS.items())
_TABLE_ORDER = {kind: position for position, (kind, _pattern) in enumerate(PATTERNS)}


@cache
def _index() -> LiteralIndex:
    return LiteralIndex(PATTERNS)


@cache
def compiled_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each kind's whole pattern, compiled: for the reference search and the vocabulary audit."""
    return tuple((kind, re.compile(pattern)) for kind, pattern in PATTERNS)


def prepare() -> None:
    """Compile the keyword alternatives now rather than when the first string is searched."""
    _index()


@lru_cache(maxsize=65536)
def kinds_in(text: str) -> tuple[str, ...]:
    """The kinds whose words occur in already-normalised text, in table order.

    Cached: the strings recur (labels such as "e mail" or "city", name words such as "zip" or "billing")
    across forms and sites. The cache is bounded; its keys are field descriptors' words, never personal
    values. A string not seen before is first narrowed to the kinds it could match and, within each, to
    the alternatives of its pattern that could (``literals.py``): searching every kind's whole pattern was
    the classifier's main cost on a new form.
    """
    if not text:
        return ()
    possible = _index().candidates(text)
    found = [
        kind
        for kind in sorted(possible, key=_TABLE_ORDER.__getitem__)
        if any(alternative.search(text) for alternative in possible[kind])
    ]
    return _explain_away(found)


def kinds_in_all(text: str) -> tuple[str, ...]:
    """``kinds_in`` without the literal index: every pattern searched whole (the reference it must agree with)."""
    return _explain_away([kind for kind, pattern in compiled_patterns() if pattern.search(text)])


def kinds_in_parts(parts: Iterable[str]) -> tuple[str, ...]:
    """The kinds named by several already-normalised texts of one field (its label, placeholder...).

    Each text is searched alone: a phrase must stand within one of them. Joined, a label "Surname"
    beside an aria-label "Surname" read "surname surname", which holds "name surname", a whole name."""
    found: set[str] = set()
    for part in parts:
        found.update(kinds_in(part))
    return _explain_away(sorted(found, key=_TABLE_ORDER.__getitem__))


_ONE_LETTER_NAMES = frozenset({"q"})
# Words that name a kind in programmer names only: Japanese shops write 姓 and 名 (family and given name) in
# romaji ("name_sei", "Mei", "SeiKana"), where in a label "sei" is Italian ("you are") and "mei" Dutch (May).
NAME_ONLY_WORDS = {"sei": "family-name", "mei": "given-name"}


def _one_letter(word: str) -> bool:
    return len(word) == 1 and word.isalpha()


def kinds_in_words(words: list[str]) -> set[str]:
    """Kinds named by programmer-name words: each word, and each adjacent pair spaced and run together
    ("first name", "firstname"), so that compounds match without searching whole unique strings.

    A one-letter word counts only run together with a neighbour of three letters or more ("f_name",
    "i_agree"): alone, or beside another short piece, it is a framework's path ("r:r:1:m:r:3:c:pr"), not
    the "m." of a Polish flat, the "n." of a house number or a Danish "CPR" that the tables hold. "q" is
    the exception, the web's name for a search box's query."""
    kinds: set[str] = set()
    for word in words:
        if not _one_letter(word) or word in _ONE_LETTER_NAMES:
            kinds.update(kinds_in(word))
        if word in NAME_ONLY_WORDS:
            kinds.add(NAME_ONLY_WORDS[word])
    for first, second in itertools.pairwise(words):
        if _one_letter(first) or _one_letter(second):
            if max(len(first), len(second)) >= 3:
                kinds.update(kinds_in(first + second))
            continue
        kinds.update(kinds_in(f"{first} {second}"))
        kinds.update(kinds_in(first + second))
    return set(_explain_away(kinds))  # "phone_number": the word "number" alone does not make a house number
