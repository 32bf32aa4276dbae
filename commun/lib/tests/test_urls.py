"""An address built from one reverse() is the address reverse() gives, for any id."""

import pytest
from django.urls import reverse, set_script_prefix

from commun.lib.ids import MAX_ID
from commun.lib.urls import address_by_id


@pytest.fixture
def mounted_under_a_prefix():
    set_script_prefix("/commun/")
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("pk", [1, 7, 10, 4_294_967_291, MAX_ID])
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("board:task", ()),
        ("budgets:need", ()),
        ("budgets:mission", ()),
        ("board:action", ("prendre",)),
    ],
)
def test_it_gives_what_reverse_gives(name, args, pk):
    assert address_by_id(name, *args)(pk) == reverse(name, args=[pk, *args])


def test_it_keeps_the_script_prefix_the_site_is_mounted_under(mounted_under_a_prefix):
    task_address = address_by_id("board:task")
    assert task_address(12) == reverse("board:task", args=[12]) == "/commun/tableau/taches/12/"
