"""No personal value is ever written to disk in plaintext: every byte under the data dir is checked."""

from companion.backup import backup
from companion.settings import DataDir
from companion.storage import AtomicStorage
from companion.vault import Membership, Vault
from tests.companion.vault.test_vcard import FIXTURES

PASSPHRASE = "plaintext test passphrase, long"
# Unique values from the fixture cards and the edits below: none of them may appear in any file.
MARKERS = [
    "Marker3Given",
    "Marker3Family",
    "Marker3Nick",
    "marker3.home@example.org",
    "612345678",
    "Rue Marker3",
    "Marker3 Title",
    "Marker4Family",
    "marker4@example.org",
    "6175550142",
    "Marker4 St",
    "MEMBER-MARKER-99173",
    "Edited Marker Lane",
]


def encodings(marker):
    return {marker.encode("utf-8"), marker.lower().encode(), marker.encode("utf-16-le")}


def test_no_marker_in_any_byte_under_the_data_dir(tmp_path):
    data_dir = DataDir(tmp_path / "data")
    data_dir.ensure()
    vault = Vault(data_dir.vault_dir)
    vault.create(PASSPHRASE)
    vault.import_vcard((FIXTURES / "marker3-v30.vcf").read_text())
    vault.import_vcard((FIXTURES / "marker4-v40.vcf").read_text())
    profile = vault.profile()
    home, work, *rest = profile.addresses
    edited = work.model_copy(update={"lines": ["1 Edited Marker Lane"]})
    membership = Membership(program="Club", number="MEMBER-MARKER-99173", sites=["shop.test"])
    vault.update(profile.model_copy(update={"addresses": [home, edited, *rest], "memberships": [membership]}))
    # Other stores keyed from the vault (as the ledger and decisions are) hold values sealed too.
    AtomicStorage(data_dir.root / "decisions.json", vault.sealer("decisions")).write(
        {"fingerprint": vault.fingerprint("marker4@example.org"), "note": "MEMBER-MARKER-99173"}
    )
    vault.change_passphrase(PASSPHRASE, PASSPHRASE + " changed")
    vault.lock()
    backup(data_dir, PASSPHRASE + " changed", tmp_path / "outside.backup")

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4  # key, profile, decisions, backup: the scan is not vacuous
    for path in files:
        content = path.read_bytes()
        for marker in MARKERS:
            for encoded in encodings(marker):
                assert encoded not in content, f"{marker!r} in plaintext in {path}"

    # ...while the values are all really in there, behind the passphrase.
    vault.unlock(PASSPHRASE + " changed")
    everything = vault.export().model_dump_json()
    assert [marker for marker in MARKERS if marker not in everything] == []
