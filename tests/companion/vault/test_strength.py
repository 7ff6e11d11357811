"""The passphrase strength estimate: what it refuses, and that the dashboard's live meter agrees with it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.vault import Vault, WeakPassphrase
from companion.vault.strength import MIN_BITS, estimate

SETUP_JS = Path(__file__).resolve().parents[3] / "companion" / "dashboard" / "static" / "vault-setup.js"
SAMPLES = [
    "aaaaaaaaaaaaaaaa",
    "1234567890",
    "password1234",
    "qwertyuiop12",
    "short pass",
    "Tr0ub4dor&3x",
    "correct horse battery staple",
    "mañana será otro día",
    "zzz123zzz123zzz",
]


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", "1234567890", "password1234", "0000000000000000"])
def test_obvious_mistakes_are_refused_when_creating_a_vault(tmp_path, weak):
    assert not estimate(weak).acceptable
    with pytest.raises(WeakPassphrase, match="too easy to guess"):
        Vault(tmp_path / "vault").create(weak)
    assert Vault(tmp_path / "vault").state == "absent"


def test_verdicts_rise_with_length_and_variety():
    verdicts = [estimate(p).verdict for p in ("abcdefghij", "abcdefghijklm", "Abcdefgh1!xyz", "four random words here")]
    assert verdicts == ["fair", "good", "strong", "strong"]
    assert estimate("correct horse battery staple").bits > 2 * MIN_BITS


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_live_meter_in_the_page_computes_the_same_figure():
    script = f"""
    const vm = require("vm");
    const context = {{ document: {{ getElementById: () => null }} }};
    vm.runInNewContext(require("fs").readFileSync({json.dumps(str(SETUP_JS))}, "utf8"), context);
    console.log(JSON.stringify({json.dumps(SAMPLES)}.map((p) => context.estimateBits(p))));
    """
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True).stdout
    in_page = json.loads(out)
    assert [round(b, 1) for b in in_page] == [estimate(p).bits for p in SAMPLES]
