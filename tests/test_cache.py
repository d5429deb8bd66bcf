"""The parsed-spec cache: a spec read before comes back without lark, and equal; a cache
never changes an answer (issue 15, faults 1 and 10)."""
import os
import subprocess
import sys
import zlib

import pytest

import cnncost
from cnncost.dsl import cache
from cnncost.dsl.parser import parse as parse_text


def test_a_cached_spec_parses_to_the_same_ast(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path / "cnncost"))
    text = cnncost.zoo.spec_text("resnet18")
    first = cache.parse(text, "resnet18.spec")
    assert len(list((tmp_path / "cnncost").glob("ast-*.pickle"))) == 1
    again = cache.parse(text, "resnet18.spec")
    assert again == first == parse_text(text, "resnet18.spec")
    changed = cache.parse(text.replace("fc 1000", "fc 10"), "resnet18.spec")
    assert changed != first and len(list((tmp_path / "cnncost").glob("ast-*.pickle"))) == 2


def test_a_damaged_cache_file_is_parsed_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path / "cnncost"))
    text = "input 8x8x3\nconv 3x3 4\n"
    cache.parse(text, "a.spec")
    (entry,) = (tmp_path / "cnncost").glob("ast-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.parse(text, "a.spec") == parse_text(text, "a.spec")


def test_text_in_memory_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path / "cnncost"))
    cache.parse("input 8x8x3\n", "<text>")
    assert not (tmp_path / "cnncost").exists()


def test_second_run_does_not_import_lark_and_gives_the_same_numbers(tmp_path):
    env = {**os.environ, "CNNCOST_CACHE_DIR": str(tmp_path)}
    code = ("import sys, json, cnncost\n"
            "r = cnncost.analyze(cnncost.load('vgg16'))\n"
            "print(json.dumps([r.totals.params, r.totals.macs, 'lark' in sys.modules]))\n")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs == ["[138357544, 15470264320, true]\n", "[138357544, 15470264320, false]\n"]


def _crc_twin(text: str, changed: str) -> str:
    """`changed` with a comment line appended whose 64 letters (each 'a' or 'b') are chosen
    so that it has the CRC32 and length of `text` with a comment of 64 'a's. CRC32 is affine
    over GF(2): flipping letter i flips a fixed 32-bit pattern, so the letters to flip are
    the solution of a linear system (Gaussian elimination over the 64 patterns)."""
    assert len(text) == len(changed)
    base = "# " + "a" * 64 + "\n"
    crc = lambda s: zlib.crc32(s.encode())  # noqa: E731
    target = crc(text + base) ^ crc(changed + base)
    zero = crc(changed + base)
    columns = []
    for i in range(64):
        flipped = base[:2 + i] + "b" + base[3 + i:]
        columns.append((crc(changed + flipped) ^ zero, 1 << i))
    rows = []  # (pattern, letters) with distinct leading bits
    for pattern, letters in columns:
        for other, other_letters in rows:
            if pattern ^ other < pattern:
                pattern, letters = pattern ^ other, letters ^ other_letters
        if pattern:
            rows.append((pattern, letters))
            rows.sort(reverse=True)
    want, chosen = target, 0
    for pattern, letters in rows:
        if want ^ pattern < want:
            want, chosen = want ^ pattern, chosen ^ letters
    assert want == 0, "no solution: choose other letters"
    comment = "".join("b" if chosen >> i & 1 else "a" for i in range(64))
    return changed + "# " + comment + "\n"


def test_two_texts_with_the_same_crc32_and_length_give_their_own_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path))
    four = "input 8x8x3\nconv 3x3 4\n"
    first = four + "# " + "a" * 64 + "\n"
    second = _crc_twin(four, "input 8x8x3\nconv 3x3 5\n")
    # the reproducer of issue 15: equal length and CRC32, as the old key saw them
    assert len(first) == len(second) and first != second
    assert zlib.crc32(f"net.spec\0{first}".encode()) == zlib.crc32(f"net.spec\0{second}".encode())
    answers = []
    for text in (first, second, first, second):
        path = tmp_path / "net.spec"
        path.write_text(text)
        answers.append(cnncost.analyze(cnncost.load(str(path))).totals.params)
    assert answers == [112, 140, 112, 140]
    assert len(list(tmp_path.glob("ast-*.pickle"))) == 2


def test_an_entry_holding_another_text_is_not_used(tmp_path, monkeypatch):
    """Even an entry renamed under this text's key is checked against the stored text."""
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path))
    cache.parse("input 8x8x3\nconv 3x3 4\n", "a.spec")
    (entry,) = tmp_path.glob("ast-*.pickle")
    text = "input 8x8x3\nconv 3x3 5\n"
    entry.rename(tmp_path / f"ast-{cache.key(text, 'a.spec')}.pickle")
    assert cache.parse(text, "a.spec") == parse_text(text, "a.spec")


def test_the_cache_stays_under_its_bound_after_10000_distinct_specs(tmp_path, monkeypatch):
    import shutil
    import tempfile
    from pathlib import Path

    import cnncost.dsl.parser as parser

    # in memory when the machine has a tmpfs: 10,000 file writes and removals are the test
    where = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else tmp_path))
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(where))
    # the parser itself is not what is tested: a stand-in keeps the 10,000 writes fast
    parsed = parse_text("input 8x8x3\n", "s.spec")
    monkeypatch.setattr(parser, "parse", lambda source, file: parsed)
    try:
        for i in range(10_000):
            cache.parse(f"input 8x8x3\n# {i}\n", "s.spec")
            if i % 1000 == 0:
                assert len(list(where.glob("ast-*.pickle"))) <= cache.MAX_ENTRIES
        assert cache.MAX_ENTRIES // 2 < len(list(where.glob("ast-*.pickle"))) <= cache.MAX_ENTRIES
        assert not list(where.glob(".*tmp*"))  # no temporary file left behind
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_the_least_recently_used_entries_go_first(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOST_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 4)  # over 4, down to 3
    texts = [f"input 8x8x3\n# {i}\n" for i in range(5)]
    for i, text in enumerate(texts[:4]):
        cache.parse(text, "s.spec")
        os.utime(tmp_path / f"ast-{cache.key(text, 's.spec')}.pickle", ns=(i * 10**9, i * 10**9))
    cache.parse(texts[0], "s.spec")  # used again: now the newest
    cache.parse(texts[4], "s.spec")
    kept = {p.name for p in tmp_path.glob("ast-*.pickle")}
    assert kept == {f"ast-{cache.key(t, 's.spec')}.pickle" for t in (texts[0], texts[3], texts[4])}


def test_the_tests_do_not_write_the_users_cache():
    assert os.environ["CNNCOST_CACHE_DIR"] != os.path.expanduser("~/.cache/cnncost")
    assert cache.cache_folder() == os.environ["CNNCOST_CACHE_DIR"]


@pytest.mark.parametrize("variable, value, expected", [
    ("CNNCOST_CACHE_DIR", "/x/y", "/x/y"),
    ("XDG_CACHE_HOME", "/x", "/x/cnncost"),
])
def test_the_cache_folder_follows_the_environment(monkeypatch, variable, value, expected):
    monkeypatch.delenv("CNNCOST_CACHE_DIR", raising=False)
    monkeypatch.setenv(variable, value)
    assert cache.cache_folder() == expected
