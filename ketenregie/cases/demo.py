"""Demo cases (filled in with the case workflow)."""


def seed_cases(*, chains, organisations, stdout) -> None:
    return None
