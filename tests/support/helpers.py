"""Small hand-made export files for tests. Identifiers here are synthetic: the NHS numbers are
valid-looking test numbers and the UPNs follow the format only."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

# Valid NHS numbers (modulus 11), worked by hand for the first:
# 9434765919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 90+36+24+28+42+30+20+27+2 = 299;
# 299 mod 11 = 2; 11-2 = 9 = last digit.
NHS_A = "9434765919"
NHS_B = "4010232137"  # 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 40+8+12+15+8+3+6 = 92; 92 mod 11 = 4; 11-4 = 7
NHS_BAD_CHECK = "9434765918"
UPN_A = "A123456789012"
UPN_B = "B98765432101Z"

REFERRAL_HEADER = [
    "referral_id",
    "nhs_number",
    "date_of_birth",
    "provider_code",
    "service",
    "priority",
    "referral_date",
    "first_contact_date",
    "removed_date",
]


def referral(referral_id: str, nhs: str = NHS_A, **overrides) -> dict:
    row = {
        "referral_id": referral_id,
        "nhs_number": nhs,
        "date_of_birth": "2015-05-12",
        "provider_code": "RTH",
        "service": "SALT",
        "priority": "ROUTINE",
        "referral_date": "2025-01-10",
        "first_contact_date": "",
        "removed_date": "",
    }
    row.update(overrides)
    return row


def csv_bytes(header: list[str], rows: list[dict], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def day(text: str) -> date:
    return date.fromisoformat(text)


def asset_events(asset_name: str) -> list[dict]:
    """The extras of every event of an Asset in the Airflow metadata DB, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(AssetEvent.extra)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .where(AssetModel.name == asset_name)
            .order_by(AssetEvent.id)
        ).all()
    return [r[0] for r in rows]
