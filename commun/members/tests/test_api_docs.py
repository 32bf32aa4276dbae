"""The API's documentation page renders under our Content Security Policy, all from here."""

from commun.testing.browser import assert_all_local, axe_check


def test_the_swagger_page_renders_every_path_without_leaving_the_server(page, coop):
    page.goto("/api/v1/docs")

    page.locator(".swagger-ui .info .title").filter(has_text="Commun API").wait_for()
    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/register" in path for path in paths)
    assert any("/api/v1/applications/{application_id}/admit" in path for path in paths)
    assert_all_local(page)
    blocked = [error for error in page.console_errors if "Content Security Policy" in error]
    assert not blocked, blocked


def test_the_swagger_page_is_accessible(page, coop):
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()

    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page)
    page.locator(".opblock-summary-control").first.click()  # an operation, opened
    page.locator(".opblock-body").first.wait_for()
    axe_check(page)
