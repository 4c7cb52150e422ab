"""A random string matching a regular expression (Python's re syntax), for
the secrets corpus generator: enough of the language for the capture groups
of gitleaks' and secretlint's rules (literals, classes, repeats, groups,
alternation)."""
import random
import re
import string
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as C
    import sre_parse

PRINTABLE = [c for c in string.ascii_letters + string.digits + "-_./+=:@"]
CATEGORY = {
    C.CATEGORY_DIGIT: string.digits,
    C.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_DIGIT: string.ascii_letters,
    C.CATEGORY_NOT_WORD: "-.",
    C.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
}


def _class(items, rng, ignorecase):
    allowed, negate = [], False
    for op, av in items:
        if op == C.NEGATE:
            negate = True
        elif op == C.LITERAL:
            allowed.append(chr(av))
        elif op == C.RANGE:
            lo, hi = av
            allowed.extend(chr(c) for c in range(lo, min(hi, lo + 200) + 1))
        elif op == C.CATEGORY:
            allowed.extend(CATEGORY.get(av, ""))
    if negate:
        pool = [c for c in PRINTABLE if c not in allowed]
        return rng.choice(pool)
    pool = [c for c in allowed if c.isprintable()] or allowed
    return rng.choice(pool)


def _gen(tree, rng, ignorecase, out):
    for op, av in tree:
        if op == C.LITERAL:
            out.append(chr(av))
        elif op == C.NOT_LITERAL:
            out.append(rng.choice([c for c in PRINTABLE if ord(c) != av]))
        elif op == C.ANY:
            # Rules write domains with bare dots ("hooks.slack.com"): a dot
            # is what real text has there.
            out.append(".")
        elif op == C.IN:
            out.append(_class(av, rng, ignorecase))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            if hi == C.MAXREPEAT:
                # Unbounded parts of real tokens are long, not one character.
                lo = max(lo, 8)
                hi = lo + 16
            for _ in range(rng.randint(lo, max(lo, hi))):
                _gen(sub, rng, ignorecase, out)
        elif op == C.SUBPATTERN:
            _gen(av[-1], rng, ignorecase, out)
        elif op == C.BRANCH:
            _gen(rng.choice(av[1]), rng, ignorecase, out)
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        elif op == C.GROUPREF:
            continue
        else:
            raise ValueError(f"unsupported regex op {op}")


def generate(pattern, rng):
    """A string matching `pattern` (a Python regex without lookbehinds)."""
    tree = sre_parse.parse(pattern)
    out = []
    _gen(tree, rng, bool(tree.state.flags & re.IGNORECASE), out)
    return "".join(out)
