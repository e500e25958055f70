"""The password policy: long enough, not one of the most common, not the user name, not one repeated character.

The rules follow NIST SP 800-63B (length and a deny list over composition rules), with one composition
rule kept because officials reuse purely numeric passwords (phone numbers, birthdays)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str) -> str | None:
    """Why the password is refused (zh-CN, for officials), or None when it is acceptable."""
    folded = password.casefold()
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 位"
    if folded in common_passwords() or _strip_trailing_digits(folded) in common_passwords():
        return "密码过于常见, 请换一个"
    if username and username.casefold() in folded:
        return "密码不能包含用户名"
    if len(set(password)) < 3:
        return "密码不能由一两个字符重复组成"
    if password.isdigit():
        return "密码不能全是数字"
    return None


def _strip_trailing_digits(text: str) -> str:
    """`password2026` is as weak as `password`: the year or a counter at the end adds little."""
    return text.rstrip("0123456789") or text
