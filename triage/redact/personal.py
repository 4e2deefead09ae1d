"""Optional masking of personal details: user names in home paths, host names, IP addresses
and e-mail addresses become stable placeholders (<user-1>, <host-2>, <ip-1>, <email-1>).

The same value always gets the same placeholder within one `Placeholders` (one run), so lines
stay comparable: "rank 0 on <host-1>" and "rank 1 on <host-2>" still tell two machines apart.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Callable, Dict, Match, Pattern, Tuple

# Hosts that say nothing about the user; they stay readable (a diagnosis often needs them).
PUBLIC_HOSTS = ("github.com", "githubusercontent.com", "gitlab.com", "huggingface.co", "hf.co", "pypi.org",
                "pythonhosted.org", "pytorch.org", "nvidia.com", "ngc.nvidia.com", "nvcr.io", "docker.io",
                "docker.com", "anaconda.org", "anaconda.com", "conda-forge.org", "wandb.ai", "python.org",
                "ubuntu.com", "debian.org", "readthedocs.io", "readthedocs.org", "microsoft.com", "google.com",
                "googleapis.com", "amazonaws.com", "localhost", "example.com", "example.org", "ghcr.io",
                "quay.io", "cloudflare.com", "openai.com", "anthropic.com", "kaggle.com", "tensorflow.org")
_KEEP_IPS = ("127.0.0.1", "0.0.0.0", "::1", "::", "255.255.255.255")

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9._%+-]{1,64})@(?P<domain>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
                    r"\.[A-Za-z]{2,24})(?![A-Za-z0-9-]|:[~/ ])")
_HOME = re.compile(r"(?P<lead>/home/|/Users/|[A-Za-z]:\\Users\\|[A-Za-z]:/Users/)(?P<user>[^/\\\s'\"<>:]{1,64})"
                   r"(?=[/\\\s'\":]|$)", re.MULTILINE)
_PROMPT = re.compile(r"(?<![A-Za-z0-9._-])(?P<user>[a-z_][a-z0-9_.-]{0,31})@(?P<host>[A-Za-z0-9][A-Za-z0-9.-]{0,62})"
                     r"(?=:[~/ ]|:\s*\$|\s*[$#] |\s[^\]\s]{0,64}\][$#])")
_URL_HOST = re.compile(r"(?<![A-Za-z0-9+.-])(?P<lead>[A-Za-z][A-Za-z0-9+.-]{0,15}://(?:[^\s/@]{1,200}@)?)"
                       r"(?P<host>[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){0,10})(?![^\s/@]*@)")
# not after "-", "_", "v" or "==": cudnn-8.9.2.26, v1.2.3.4, pkg==8.6.1.6 are versions, not IPs
_IPV4 = re.compile(r"(?<![0-9.vV_+-])(?<!==)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.+-])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:]{2,39}(?![0-9A-Za-z:])")


class Placeholders:
    """value -> placeholder, per kind, numbered in order of first appearance."""

    def __init__(self) -> None:
        self.seen: Dict[Tuple[str, str], str] = {}
        self.numbers: Dict[str, int] = {}

    def of(self, kind: str, value: str) -> str:
        key = (kind, value.lower() if kind in ("host", "email") else value)
        if key not in self.seen:
            self.numbers[kind] = self.numbers.get(kind, 0) + 1
            self.seen[key] = f"<{kind}-{self.numbers[kind]}>"
        return self.seen[key]

    def counts(self) -> Dict[str, int]:
        """How many distinct values of each kind were replaced (the report says so, never which)."""
        return dict(self.numbers)


def redact_personal(text: str, places: Placeholders) -> str:
    for pattern, replace in _steps(places):
        text = pattern.sub(replace, text)
    return text


def redact_home_users(text: str, name: str = "user") -> str:
    """User names in home paths replaced by one fixed word (/home/alice/x -> /home/user/x): for
    text that is kept (a KB draft's examples), where a numbered placeholder would mean nothing."""
    return _HOME.sub(lambda m: m.group("lead") + name, text)


def _steps(p: Placeholders) -> Tuple[Tuple[Pattern[str], Callable[[Match[str]], str]], ...]:
    # e-mails before prompts (both have @), URLs before bare IPs (an IP host is still an IP)
    return ((_EMAIL, lambda m: m.group(0) if m.group("local") == "git" else p.of("email", m.group(0))),
            (_HOME, lambda m: m.group("lead") + p.of("user", m.group("user"))),
            (_PROMPT, lambda m: p.of("user", m.group("user")) + "@" + _host(p, m.group("host"))),
            (_URL_HOST, lambda m: m.group("lead") + _host(p, m.group("host"))),
            (_IPV4, lambda m: _ip(p, m.group(0), 4)),
            (_IPV6, lambda m: _ip(p, m.group(0), 6)))


def public(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in PUBLIC_HOSTS)


def _host(p: Placeholders, host: str) -> str:
    if public(host) or host.startswith("<"):
        return host
    if _is_ip(host):
        return _ip(p, host, 4)
    return p.of("host", host)


def _ip(p: Placeholders, text: str, version: int) -> str:
    if text in _KEEP_IPS or not _is_ip(text, version):
        return text
    if version == 6 and text.count(":") < 2:
        return text
    return p.of("ip", text)


def _is_ip(text: str, version: int = 4) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.version == version
