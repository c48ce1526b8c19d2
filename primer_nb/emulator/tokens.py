"""Client tokens: HS256 JWTs shaped like Primer's, checked against the emulator clock.

A token carries the header `{"typ":"JWT","alg":"HS256","kid":"client-token-signing-key"}`
(in that order, as Primer's tokens do) and the claims `exp`, `accessToken` (the
session's key in the store), `intent: "CHECKOUT"`, `env: "EMULATOR"` and the SDK URLs.
The signing secret belongs to one `Emulator` instance: a token from another instance
is "invalid", exactly like a token from another Primer account (unless both instances
were made with the same `seed`: their secrets, and so their tokens, are then the same).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from datetime import datetime, timedelta
from random import Random

import jwt
import orjson

__all__ = ["TOKEN_LIFETIME", "TokenIssuer"]

TOKEN_LIFETIME = timedelta(hours=24)
_HEADER = {"typ": "JWT", "alg": "HS256", "kid": "client-token-signing-key"}
_BASE = "http://emulator.primer-nb.invalid"
#: The claims after `exp` and `accessToken`, always the same (JSON, as PyJWT writes it).
_TAIL = json.dumps(
    {
        "configurationUrl": f"{_BASE}/client-sdk/configuration",
        "coreUrl": _BASE,
        "pciUrl": _BASE,
        "paymentFlow": "DEFAULT",
        "intent": "CHECKOUT",
        "env": "EMULATOR",
    },
    separators=(",", ":"),
)[1:].encode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


_HEADER_SEGMENT = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
#: UUID version 4: the version nibble 0100 and the RFC 4122 variant bits 10.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _quoted(text: str) -> bytes:
    return json.dumps(text).encode()


class TokenIssuer:
    """Makes and reads client tokens with one secret (32 random bytes)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        # the key's HMAC state, copied per token (cheaper than keying a new HMAC)
        self._hmac = hmac.new(secret, digestmod=hashlib.sha256)

    def __repr__(self) -> str:
        return "TokenIssuer(secret=***)"

    @staticmethod
    def new_access_token(rand: Random) -> str:
        """A UUID4 string drawn from `rand` (seeded emulators give the same sequence).

        `str(uuid.UUID(int=bits, version=4))` written out (a test compares the two):
        the version and variant bits set, then the hex in 8-4-4-4-12 groups.
        """
        bits = (rand.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def issue(self, access_token: str, expires: datetime) -> str:
        """The JWT for a session; `exp` is the floor of `expires` in Unix seconds.

        Byte for byte what `jwt.encode(claims, secret, "HS256", headers=_HEADER,
        sort_headers=False)` gives (a test compares them), in a fifth of the time: the
        header and the constant claims are encoded once. The store relies on this being
        deterministic: it remakes tokens instead of keeping them.
        """
        exp = math.floor(expires.timestamp())
        # orjson writes ASCII text as json.dumps does (PyJWT's encoder), but for DEL;
        # json.dumps escapes DEL and the rest as \uXXXX, which orjson does not
        fast = access_token.isascii() and "\x7f" not in access_token
        quoted = orjson.dumps(access_token) if fast else _quoted(access_token)
        payload = b'{"exp":%d,"accessToken":%s,%s' % (exp, quoted, _TAIL)
        signing_input = _HEADER_SEGMENT + b"." + _b64(payload)
        mac = self._hmac.copy()
        mac.update(signing_input)
        signature = mac.digest()
        return (signing_input + b"." + _b64(signature)).decode("ascii")

    def access_token(self, token: object) -> str | None:
        """The `accessToken` of a well-formed token signed by this issuer, else None.

        Expiry is not checked here: the store compares it with the emulator clock.
        """
        if not isinstance(token, str) or not token or len(token) > 4096:
            return None
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        value = claims.get("accessToken") if isinstance(claims, dict) else None
        return value if isinstance(value, str) else None
