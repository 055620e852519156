"""The bulk decryption the bank file uses: the same plaintexts and errors as one-by-one decryption, under every
key of the ring (rotation), for both algorithms."""

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from huimin.core import crypto


def _ring(*lines: str) -> crypto.KeyRing:
    return crypto.KeyRing.parse(",".join(lines))


@pytest.fixture(params=["fast", "public"])
def context_path(request, monkeypatch):
    """Both ways of making the GCM context: the binding (when usable) and the public ``Cipher`` API."""
    if request.param == "public":
        monkeypatch.setattr(crypto, "_gcm_context", crypto._public_gcm_context)
    return request.param


def test_bulk_decrypts_values_under_the_current_and_older_keys_in_order(context_path):
    old = crypto.generate_key_line("k2025")
    new = crypto.generate_key_line("k2026")
    before, after = _ring(old), _ring(new, old)  # rotation: the new key first, the old one kept
    tokens = [crypto.encrypt(f"62220202{i:011d}", before if i % 3 else after) for i in range(30)]
    assert {crypto.key_id_of(t) for t in tokens} == {"k2025", "k2026"}
    plain = crypto.decrypt_many(tokens, after)
    assert plain == [f"62220202{i:011d}" for i in range(30)]
    assert plain == [crypto.decrypt(t, after) for t in tokens]
    with pytest.raises(crypto.DecryptionError, match="密钥不存在"):  # the old key removed too early
        crypto.decrypt_many(tokens, _ring(new))


def test_bulk_decrypts_the_aes_fallback_tokens_too():
    line = crypto.generate_key_line("k1")
    ring = _ring(line)
    key = ring.keys["k1"]
    nonce = os.urandom(crypto.NONCE_SIZE)
    blob = AESGCM(crypto._aes_key(key)).encrypt(nonce, b"6228480018889990001", None)
    token = f"v1:a:k1:{base64.b64encode(nonce + blob).decode()}"
    assert crypto.decrypt_many([token, crypto.encrypt("1", ring), token], ring) == [
        "6228480018889990001",
        "1",
        "6228480018889990001",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "v1:s:k1",
        "v2:s:k1:AAAA",
        "v1:x:k1:" + base64.b64encode(bytes(40)).decode(),
        "v1:s:k1:" + base64.b64encode(bytes(5)).decode(),
        "v1:s:k1:###",
    ],
)
def test_a_malformed_token_in_a_batch_raises_decryption_error(bad, context_path):
    ring = _ring(crypto.generate_key_line("k1"))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_many([crypto.encrypt("6222", ring), bad], ring)


def test_a_tampered_token_in_a_batch_is_refused(context_path):
    ring = _ring(crypto.generate_key_line("k1"))
    token = crypto.encrypt("6222020200112233445", ring)
    raw = bytearray(base64.b64decode(token.split(":", 3)[3]))
    raw[crypto.NONCE_SIZE] ^= 1  # one bit of the ciphertext
    tampered = token.rsplit(":", 1)[0] + ":" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(crypto.DecryptionError, match="篡改"):
        crypto.decrypt_many([token, tampered], ring)
