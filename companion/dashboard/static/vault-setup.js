// Live passphrase strength on the vault setup page. The same estimate as companion/vault/strength.py,
// which is what the companion enforces: keep the two in step.
const COMMON = ["password", "passwort", "motdepasse", "123456", "qwerty", "azerty", "letmein", "iloveyou", "proffer"];
const MIN_BITS = 40;

function estimateBits(passphrase) {
  const collapsed = passphrase.replace(/(.)\1{2,}/gu, "$1$1");
  let pool = 0;
  if (/[a-z]/.test(collapsed)) pool += 26;
  if (/[A-Z]/.test(collapsed)) pool += 26;
  if (/[0-9]/.test(collapsed)) pool += 10;
  if (/[ -/:-@[-`{-~]/.test(collapsed)) pool += 33;
  if (/[^\x00-\x7f]/.test(collapsed)) pool += 100;
  let bits = pool ? [...collapsed].length * Math.log2(pool) : 0;
  if (COMMON.some((word) => passphrase.toLowerCase().includes(word))) bits /= 2;
  return bits;
}

function verdict(bits) {
  if (bits < MIN_BITS) return "Too weak: use four or more unrelated words, or a long sentence only you would write.";
  if (bits < 60) return "Fair: a few more words would make it much harder to guess.";
  if (bits < 80) return "Good.";
  return "Strong.";
}

const input = document.getElementById("passphrase");
const meter = document.getElementById("strength-meter");
const text = document.getElementById("strength-text");
if (input && meter && text) {
  input.addEventListener("input", () => {
    const bits = estimateBits(input.value);
    meter.value = Math.min(100, bits);
    text.textContent = input.value ? verdict(bits) : "Four or more unrelated words make a strong passphrase.";
  });
}
