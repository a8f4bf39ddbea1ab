"""Demo accounts for development (`make run` → `seed_demo`). Never created with DEBUG off.

The TOTP secrets are FIXED and public (README): anyone can compute these accounts' codes, which
is the point for a laptop and exactly why seed_demo refuses to run in production. The developer
outbox page shows each one's current code.

Besides the four documented accounts there is one reviewer for every other review unit of 武汉市
(`wh-<unit code>`, e.g. `wh-420106` for 武昌区): applications are decided by the unit the
accountant picks (属地化), so with these a demo accountant who moves anywhere in 武汉 (信息变更)
still finds a reviewer to decide it. Their secrets are derived from the username like the others.
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


DOCUMENTED_STAFF = (
    DemoStaff("province", "省直审核员", StaffRole.REVIEWER, "420000", _key("province")),
    DemoStaff("wuhan", "武汉市市直审核员", StaffRole.REVIEWER, "420100", _key("wuhan")),
    DemoStaff("jiangan", "江岸区审核员", StaffRole.REVIEWER, "420102", _key("jiangan")),
    DemoStaff("admin", "系统管理员", StaffRole.SYSTEM_ADMIN, "420000", _key("admin")),
    # 人员管理: manages the reviewers of 武汉市 and its districts (and the districts' unit administrators).
    DemoStaff("wuhan-admin", "武汉市单位管理员", StaffRole.UNIT_ADMIN, "420100", _key("whadmin")),
)

# The review units of 武汉市 without a documented reviewer (市直 420100 is `wuhan`, 江岸区 `jiangan`).
WUHAN_UNITS = (
    ("420103", "江汉区"),
    ("420104", "硚口区"),
    ("420105", "汉阳区"),
    ("420106", "武昌区"),
    ("420107", "青山区"),
    ("420111", "洪山区"),
    ("420112", "东西湖区"),
    ("420113", "汉南区"),
    ("420114", "蔡甸区"),
    ("420115", "江夏区"),
    ("420116", "黄陂区"),
    ("420117", "新洲区"),
)

UNIT_REVIEWERS = tuple(
    DemoStaff(f"wh-{code}", f"{name}审核员", StaffRole.REVIEWER, code, _key(f"wh-{code}")) for code, name in WUHAN_UNITS
)

# Every demo staff account: seed_demo creates them, the developer outbox shows their codes.
DEMO_STAFF = DOCUMENTED_STAFF + UNIT_REVIEWERS


@dataclass(frozen=True)
class DemoAccountant:
    full_name: str = "张三"
    id_type: str = IdType.RESIDENT_ID
    id_number: str = "420102199001011236"
    phone: str = "13800000000"


DEMO_ACCOUNTANT = DemoAccountant()
