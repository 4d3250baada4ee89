"""GPQA Diamond from the user's official CSV or password-protected zip; never shown or kept."""
# Its authors ask that the questions not be published, so nothing here puts question or choice text
# into an error, a log line or a checkpoint: errors name the file, the row number and the column.

from __future__ import annotations

import csv
import hashlib
import io
import random
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from arena.errors import ArenaError
from arena.evals.answers import LETTERS, mc_prompt

COLUMNS = (
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
)
DIAMOND = "gpqa_diamond.csv"
AES_METHOD = 99  # WinZip AES: a compression type stdlib zipfile cannot read


@dataclass(frozen=True)
class Question:
    """One GPQA question with its four choices in the official order (correct first)."""

    record_id: str
    question: str
    correct: str
    incorrect: tuple[str, str, str]

    def shuffled(self, seed: int) -> tuple[tuple[str, ...], str]:
        """The choices in a fixed seeded order (per question) and the gold letter."""
        choices = [self.correct, *self.incorrect]
        order = list(range(4))
        random.Random(f"{seed}:{self.record_id}").shuffle(order)
        return tuple(choices[i] for i in order), LETTERS[order.index(0)]

    def prompt(self, seed: int) -> str:
        """Artificial Analysis's 0-shot prompt with the seeded choice order."""
        return mc_prompt(self.question, self.shuffled(seed)[0])


def _read_zip(path: Path, password: str | None) -> str:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ArenaError(f"--gpqa-file {path}: not a zip file") from exc
    with zf:
        csvs = [i for i in zf.infolist() if i.filename.lower().endswith(".csv")]
        pick = [i for i in csvs if Path(i.filename).name.lower() == DIAMOND] or csvs
        if len(pick) != 1:
            raise ArenaError(
                f"--gpqa-file {path}: expected {DIAMOND} (or a single CSV) in the zip, "
                f"found {len(csvs)} CSV files"
            )
        info = pick[0]
        if info.compress_type == AES_METHOD:
            raise ArenaError(
                f"--gpqa-file {path}: AES-encrypted zip; Python reads only ZipCrypto zips. "
                "Extract it with 7z or unzip and pass the CSV"
            )
        encrypted = bool(info.flag_bits & 0x1)
        if encrypted and not password:
            raise ArenaError(f"--gpqa-file {path}: the zip is encrypted; give --gpqa-password")
        pwd = password.encode() if password and encrypted else None
        try:
            data = zf.read(info, pwd=pwd)
        except RuntimeError as exc:
            if "password" in str(exc).lower():
                raise ArenaError(f"--gpqa-file {path}: wrong --gpqa-password") from None
            raise ArenaError(f"--gpqa-file {path}: cannot read {info.filename}: {exc}") from None
        except (zipfile.BadZipFile, zlib.error) as exc:
            hint = "wrong --gpqa-password or a damaged zip" if encrypted else "damaged zip"
            raise ArenaError(f"--gpqa-file {path}: {hint} ({type(exc).__name__})") from None
        except NotImplementedError as exc:
            raise ArenaError(f"--gpqa-file {path}: unsupported zip: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArenaError(f"--gpqa-file {path}: the CSV in the zip is not UTF-8") from None


def _parse(text: str, where: str) -> list[Question]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ArenaError(f"{where}: missing column '{missing[0]}'; expected the official GPQA CSV")
    out: list[Question] = []
    for lineno, row in enumerate(reader, 2):
        values = [(row.get(c) or "").strip() for c in COLUMNS]
        for col, value in zip(COLUMNS, values, strict=True):
            if not value:
                raise ArenaError(f"{where}: row {lineno}: column '{col}' is empty")
        rid = (row.get("Record ID") or "").strip()
        if not rid:
            rid = "q" + hashlib.sha256(values[0].encode()).hexdigest()[:12]
        out.append(Question(rid, values[0], values[1], (values[2], values[3], values[4])))
    if not out:
        raise ArenaError(f"{where}: no questions")
    if len({q.record_id for q in out}) != len(out):
        raise ArenaError(f"{where}: 'Record ID' values are not unique")
    return out


def load(path: Path, password: str | None = None) -> list[Question]:
    """Every question of the CSV (or the diamond CSV inside the zip), checked."""
    if not path.is_file():
        raise ArenaError(f"--gpqa-file {path}: no such file")
    if path.suffix.lower() == ".zip":
        text = _read_zip(path, password)
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ArenaError(f"--gpqa-file {path}: not UTF-8 text") from None
    return _parse(text, f"--gpqa-file {path.name}")
