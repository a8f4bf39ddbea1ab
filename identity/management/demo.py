"""Demo accounts for development (`make run` → `seed_demo`). Never created with DEBUG off.

The TOTP secrets are FIXED and public (README): anyone can compute these accounts' codes, which
is the point for a laptop and exactly why seed_demo refuses to run in production. The developer
outbox page shows each one's current code.
"""

import base64
from dataclasses import dataclass

from identity.constants import IdType, StaffRole

DEMO_PASSWORD = "Demo-Password-2026"  # noqa: S105 - documented in the README, development only


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    role: str
    unit_code: str
    totp_key: str  # 40 hex characters (20 bytes), as django-otp stores it

    @property
    def totp_secret_base32(self) -> str:
        """The secret as authenticator apps take it."""
        return base64.b32encode(bytes.fromhex(self.totp_key)).decode()


def _key(label: str) -> str:
    raw = f"hbkj-demo-{label}".ljust(20, "-").encode()
    assert len(raw) == 20
    return raw.hex()


DEMO_STAFF = (
    DemoStaff("province", "省直审核员", StaffRole.REVIEWER, "420000", _key("province")),
    DemoStaff("wuhan", "武汉市市直审核员", StaffRole.REVIEWER, "420100", _key("wuhan")),
    DemoStaff("jiangan", "江岸区审核员", StaffRole.REVIEWER, "420102", _key("jiangan")),
    DemoStaff("admin", "系统管理员", StaffRole.SYSTEM_ADMIN, "420000", _key("admin")),
)


@dataclass(frozen=True)
class DemoAccountant:
    full_name: str = "张三"
    id_type: str = IdType.RESIDENT_ID
    id_number: str = "420102199001011236"
    phone: str = "13800000000"


DEMO_ACCOUNTANT = DemoAccountant()
