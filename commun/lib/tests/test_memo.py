"""A memo keeps its value for the setting's seconds, then computes it again."""

from commun.lib import memo
from commun.lib.memo import Memo


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_keeps_the_value_until_it_expires(settings, monkeypatch):
    settings.TEST_MEMO_SECONDS = 60
    clock = Clock()
    monkeypatch.setattr(memo.time, "monotonic", clock)
    computed = []
    held = Memo("TEST_MEMO_SECONDS", 0)

    def compute():
        computed.append(1)
        return len(computed)

    assert held.get(compute) == 1
    clock.now += 59
    assert held.get(compute) == 1
    clock.now += 2
    assert held.get(compute) == 2
    held.clear()
    assert held.get(compute) == 3


def test_zero_seconds_computes_every_time(settings):
    settings.TEST_MEMO_SECONDS = 0
    values = iter(range(10))
    held = Memo("TEST_MEMO_SECONDS", 60)
    assert [held.get(lambda: next(values)) for _ in range(3)] == [0, 1, 2]
