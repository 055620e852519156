"""Encryption of personal data at rest and the keyed blind index used to find it.

Values are encrypted with SM4-GCM (AES-256-GCM where the OpenSSL build lacks SM4) under the current key of a
key ring read from configuration; every older key of the ring still decrypts, so keys rotate without downtime.
The blind index is HMAC-SM3 under a separate key: equal plaintexts give equal indexes, nothing else leaks.
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

TOKEN_VERSION = "v1"  # noqa: S105 - a format tag, not a secret
NONCE_SIZE = 12
TAG_SIZE = 16


class DecryptionError(Exception):
    pass


def _sm4_available() -> bool:
    try:
        Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_SIZE))).encryptor()
    except Exception:  # noqa: BLE001 - any failure means this OpenSSL build has no SM4-GCM
        return False
    return True


SM4_AVAILABLE = _sm4_available()


def sm3_hex(data: bytes) -> str:
    if "sm3" in hashlib.algorithms_available:
        return hashlib.new("sm3", data).hexdigest()
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> "KeyRing":
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            kid, _, b64 = part.partition(":")
            key = base64.b64decode(b64)
            if not kid or len(key) not in (16, 32):
                raise ValueError("HUIMIN_FIELD_KEYS 格式应为 “编号:base64密钥”，密钥 16 或 32 字节")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise ValueError("HUIMIN_FIELD_KEYS 未配置")
        return cls(order[0], keys)


@lru_cache(maxsize=4)
def _ring(text: str) -> KeyRing:
    return KeyRing.parse(text)


def key_ring() -> KeyRing:
    return _ring(settings.HUIMIN_FIELD_KEYS)


def _sm4_encrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _aes_key(key: bytes) -> bytes:
    return key if len(key) == 32 else hashlib.sha256(key).digest()


def encrypt(plaintext: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    key = ring.keys[ring.current_id]
    nonce = os.urandom(NONCE_SIZE)
    data = plaintext.encode()
    if SM4_AVAILABLE:
        algorithm, blob = "s", _sm4_encrypt(key, nonce, data)
    else:
        algorithm, blob = "a", AESGCM(_aes_key(key)).encrypt(nonce, data, None)
    return f"{TOKEN_VERSION}:{algorithm}:{ring.current_id}:{base64.b64encode(nonce + blob).decode()}"


def key_id_of(token: str) -> str | None:
    parts = token.split(":", 3)
    return parts[2] if len(parts) == 4 and parts[0] == TOKEN_VERSION else None


def decrypt(token: str, ring: KeyRing | None = None) -> str:
    return decrypt_many([token], ring)[0]


def _public_gcm_context(key, mode):
    return Cipher(key, mode).decryptor()


def _gcm_context_factory():
    """How a GCM decryption context is made for a key object and a mode (nonce + tag): ``Cipher(…).decryptor()``,
    or — when this version of ``cryptography`` has it and it decrypts a known value correctly — the Rust binding
    that call wraps, without the wrapper's per-call Python checks (about 1.5 µs less per value; the tag is still
    verified by OpenSSL in ``finalize``)."""
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        direct = rust_openssl.ciphers.create_decryption_ctx
        if not SM4_AVAILABLE:
            return _public_gcm_context
        key, nonce = algorithms.SM4(bytes(range(16))), bytes(NONCE_SIZE)
        encryptor = Cipher(key, modes.GCM(nonce)).encryptor()
        blob = encryptor.update(b"huimin") + encryptor.finalize()
        context = direct(key, modes.GCM(nonce, encryptor.tag))
        if context.update(blob) + context.finalize() != b"huimin":
            return _public_gcm_context
        tampered = direct(key, modes.GCM(nonce, bytes(TAG_SIZE)))
        tampered.update(blob)
        try:
            tampered.finalize()
        except InvalidTag:
            return direct
        return _public_gcm_context  # a binding that does not check the tag is never used
    except Exception:  # noqa: BLE001 - any change in the binding: the public API
        return _public_gcm_context


_gcm_context = _gcm_context_factory()


def decrypt_many(tokens, ring: KeyRing | None = None) -> list[str]:
    """The plaintexts of ``tokens``, in order — the bulk path (a bank file decrypts ~10⁵ accounts).

    The ring is read once, and the key object of each key id the tokens name (an SM4 key, or an AESGCM object
    for the fallback) is made once and reused for every value under that key; per value only the GCM context
    for its own nonce and tag is made — GCM binds both to the context, and OpenSSL cannot verify a tag any
    cheaper. Tokens under older keys of the ring decrypt as before; any bad token raises DecryptionError."""
    ring = ring or key_ring()
    sm4_keys: dict[str, algorithms.SM4] = {}
    aes_keys: dict[str, AESGCM] = {}
    a2b = binascii.a2b_base64
    gcm, context_for = modes.GCM, _gcm_context
    out: list[str] = []
    append = out.append
    try:
        for token in tokens:
            version, algorithm, kid, b64 = token.split(":", 3)
            raw = a2b(b64)
            if version != TOKEN_VERSION:
                raise DecryptionError("不支持的密文版本")
            if algorithm == "s":
                key = sm4_keys.get(kid)
                if key is None:
                    key = sm4_keys[kid] = algorithms.SM4(ring.keys[kid][:16])
                context = context_for(key, gcm(raw[:NONCE_SIZE], raw[-TAG_SIZE:]))
                append((context.update(raw[NONCE_SIZE:-TAG_SIZE]) + context.finalize()).decode())
            elif algorithm == "a":
                aes = aes_keys.get(kid)
                if aes is None:
                    aes = aes_keys[kid] = AESGCM(_aes_key(ring.keys[kid]))
                append(aes.decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], None).decode())
            else:
                raise DecryptionError("不支持的加密算法")
    except InvalidTag as exc:
        raise DecryptionError("密文已被篡改或密钥错误") from exc
    except (ValueError, KeyError) as exc:  # too few parts, bad base64, a short blob, an unknown key id
        raise DecryptionError("密文格式错误或密钥不存在") from exc
    return out


def normalize(kind: str, value: str) -> str:
    value = str(value).strip()
    if kind in ("id_number", "disability_cert_no"):
        return value.upper()
    if kind in ("phone", "bank_account"):
        return "".join(ch for ch in value if ch.isdigit())
    return value


@lru_cache(maxsize=4)
def _blind_key(text: str) -> bytes:
    return base64.b64decode(text)


def blind_index(kind: str, value: str) -> str:
    """Keyed HMAC-SM3 of the normalised value; the same value of the same kind always gives the same index."""
    message = f"{kind}:{normalize(kind, value)}".encode()
    digest = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"
    return hmac.new(_blind_key(settings.HUIMIN_BLIND_INDEX_KEY), message, digest).hexdigest()


def suffix_index(kind: str, value: str, length: int) -> str:
    """Keyed index of the last ``length`` characters of the normalised value (how an office reads an ID number out
    over the phone), in its own domain so it never equals the index of a whole value."""
    return blind_index(f"{kind}_suffix", normalize(kind, value)[-length:])


def generate_key_line(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(16)).decode()}"
