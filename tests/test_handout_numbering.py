"""The mini-project notebooks answer the handout's questions under headings with the handout's own numbers.

The CS-479 handout "Visual Receptive Field Development" numbers its questions 1.1-1.12 (one neuron), 2.1-2.9
(RF parameters), 3.1.1-3.1.5 and 3.2.1-3.2.9 (many neurons, without and with competition). A student holding the
handout must find the answer to question n under a heading "Q<n> — ..." in the notebook of its part, and no number
may be used for something else. Steps that only implement something may share a heading, written as a range
("Q2.2–Q2.4") or a list ("Q3.1.1, Q3.1.2").
"""

import functools
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The handout's question numbers, in its order (from the course handout; see the module docstring).
HANDOUT = {
    "02_single_neuron_rf.ipynb": [f"1.{k}" for k in range(1, 13)],
    "03_rf_parameters.ipynb": [f"2.{k}" for k in range(1, 10)],
    "04_multi_neuron_rf.ipynb": [f"3.1.{k}" for k in range(1, 6)] + [f"3.2.{k}" for k in range(1, 10)],
}
ALL_NUMBERS = [n for numbers in HANDOUT.values() for n in numbers]

#: What each question is about: the heading that carries its number must match (case-insensitive), so that a
#: number cannot silently head another question's answer (e.g. the regression of 2.5 under "Q2.3").
TOPIC = {
    "1.1": r"model|network|class", "1.2": r"fixed θ|θ = 1|train", "1.3": r"random|pattern",
    "1.4": r"response", "1.5": r"test|significan", "1.6": r"seeds", "1.7": r"sliding",
    "1.8": r"learning rate|γ", "1.9": r"variable|sliding", "1.10": r"nonlinearit", "1.11": r"normali[sz]|oja",
    "1.12": r"images", "2.1": r"threshold|λ", "2.2": r"boundary", "2.3": r"boundary", "2.4": r"λ|lambda",
    "2.5": r"regression|line fit|αx", "2.6": r"length|orientation|location", "2.7": r"various|lengths",
    "2.8": r"overlay", "2.9": r"appropriate|alternative", "3.1.1": r"neurons|network", "3.1.2": r"fixed θ|θ = 1",
    "3.1.3": r"randomness|coincide", "3.1.4": r"sliding", "3.1.5": r"θ|threshold", "3.2.1": r"competit|inhibition",
    "3.2.2": r"φ = 0|fixed", "3.2.3": r"sparse", "3.2.4": r"response", "3.2.5": r"φ", "3.2.6": r"φ",
    "3.2.7": r"θ", "3.2.8": r"overlay", "3.2.9": r"diversity|convergence",
}

NUMBER = r"Q(\d+(?:\.\d+)+)"
LABEL = re.compile(rf"^\s*{NUMBER}((?:\s*(?:–|-|,|and)\s*Q?\d+(?:\.\d+)+)*)")
ANY_NUMBER = re.compile(rf"\b{NUMBER}\b")


@functools.lru_cache(maxsize=None)
def cells(name):
    """(cell_type, source) of every cell of a notebook (plain JSON: faster than nbformat's validation)."""
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return tuple((c["cell_type"], "".join(c["source"])) for c in nb["cells"])


def headings(name):
    """Every markdown heading of a notebook, as text without the leading #'s."""
    return [line.lstrip("#").strip() for kind, source in cells(name) if kind == "markdown"
            for line in source.splitlines() if line.startswith("#")]


def heading_numbers(heading):
    """The handout numbers a heading carries: its leading label, with ranges expanded over the handout's order.

    ``"Q2.2–Q2.4 — Boundary"`` -> ["2.2", "2.3", "2.4"]; ``"Q1.10 — Other rules"`` -> ["1.10"]; a heading that
    does not start with a Q-number carries none. Raises ValueError for a range whose ends are not handout numbers
    or run backwards.
    """
    match = LABEL.match(heading)
    if not match:
        return []
    numbers = [match.group(1)]
    for sep, num in re.findall(r"\s*(–|-|,|and)\s*Q?(\d+(?:\.\d+)+)", match.group(2)):
        if sep in "–-":
            lo, hi = numbers[-1], num
            if lo not in ALL_NUMBERS or hi not in ALL_NUMBERS or ALL_NUMBERS.index(hi) <= ALL_NUMBERS.index(lo):
                raise ValueError(f"heading {heading!r}: range Q{lo}–Q{hi} is not a forward range of handout numbers")
            numbers += ALL_NUMBERS[ALL_NUMBERS.index(lo) + 1:ALL_NUMBERS.index(hi) + 1]
        else:
            numbers.append(num)
    return numbers


def test_label_parser():
    assert heading_numbers("Q1.8 — Smaller and larger learning rates") == ["1.8"]
    assert heading_numbers("Q2.2–Q2.4 — Boundary pixels") == ["2.2", "2.3", "2.4"]
    assert heading_numbers("Q3.1.5 — θ") == ["3.1.5"]
    assert heading_numbers("Q3.2.1, Q3.2.2 — Competition") == ["3.2.1", "3.2.2"]
    assert heading_numbers("Q3.1.5–Q3.2.2 — across parts") == ["3.1.5", "3.2.1", "3.2.2"]
    assert heading_numbers("Summary (Q1.2)") == []
    with pytest.raises(ValueError):
        heading_numbers("Q2.4–Q2.2 — backwards")


@pytest.mark.parametrize("name", sorted(HANDOUT))
def test_every_handout_question_has_exactly_one_heading_with_its_number(name):
    found = [n for h in headings(name) for n in heading_numbers(h)]
    wrong = sorted(set(n for n in found if n not in HANDOUT[name]))
    assert not wrong, f"{name}: headings carry numbers that are not this part's handout questions: {wrong}"
    missing = [n for n in HANDOUT[name] if n not in found]
    assert not missing, f"{name}: no heading carries the handout's question(s) {missing}"
    repeated = sorted(set(n for n in found if found.count(n) > 1), key=HANDOUT[name].index)
    assert not repeated, f"{name}: these numbers head more than one section: {repeated}"
    assert found == HANDOUT[name], f"{name}: the headings do not follow the handout's order: {found}"


@pytest.mark.parametrize("name", sorted(HANDOUT))
def test_each_number_heads_its_own_question(name):
    for heading in headings(name):
        for n in (n for n in heading_numbers(heading) if n in TOPIC):  # other numbers: test above
            assert re.search(TOPIC[n], heading, re.IGNORECASE), \
                f"{name}: heading {heading!r} carries Q{n}, but question {n} is about /{TOPIC[n]}/"


@pytest.mark.parametrize("name", sorted(HANDOUT))
def test_no_text_cites_a_question_number_the_handout_does_not_have(name):
    # e.g. a stale "(Q3.10)" after renumbering: every Q-number in headings, prose and code must exist
    cited = {n for _, source in cells(name) for n in ANY_NUMBER.findall(source)}
    unknown = sorted(cited - set(ALL_NUMBERS))
    assert not unknown, f"{name} cites question numbers the handout does not have: {unknown}"
