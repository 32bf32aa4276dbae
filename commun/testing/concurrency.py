"""Release many threads at once against the database, for tests of races."""

import threading

from django.db import connections


def all_at_once(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; return each result or exception."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=60)
            outcomes[i] = work(i)
        except Exception as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes
