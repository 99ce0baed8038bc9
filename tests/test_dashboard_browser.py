"""The dashboard in a real browser (headless Chromium through Selenium) at a phone's 360 px: initData
signed in the test, numbers as in the database, filters and search, refusals shown and nothing else.

Needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium chromium-driver`).
Set DASHBOARD_SCREENSHOTS=docs to refresh the README's screenshots.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.domain import RevisionEvent
from tests.conftest import ADMIN_ID, make_settings
from tests.dashboard_data import (
    MEMBER_ID,
    NORTH,
    NORTH_AUTHORITY_ID,
    OFFICIAL_ID,
    DashboardSite,
    init_data,
)
from tests.test_dashboard_api import record_decision

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=500,780",
    "--lang=ru-RU",
)

PHONE_WIDTH, PHONE_HEIGHT = 360, 780

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Chromium: apt-get install -y chromium chromium-driver",
)

if Path(CHROMIUM).exists():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardSite]:
    tmp = tmp_path_factory.mktemp("dashboard")
    settings = make_settings(tmp, "http://127.0.0.1:9", f"sqlite+aiosqlite:///{tmp / 'dash.sqlite3'}")
    with DashboardSite(settings) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    phone_size(driver, PHONE_HEIGHT)
    try:
        yield driver
    finally:
        driver.quit()


def phone_size(driver: WebDriver, height: int) -> None:
    """A phone's viewport: headless Chromium's window is never narrower than 500 px."""
    metrics = {"width": PHONE_WIDTH, "height": height, "deviceScaleFactor": 2, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def open_as(browser: WebDriver, site: DashboardSite, auth: str, css: str) -> None:
    """A fresh load (the fragment alone would not reload) with no initData left from the last test."""
    browser.get(site.url + "api/texts")
    browser.execute_script("sessionStorage.clear()")
    browser.get(site.url + "#tgWebAppData=" + quote(auth, safe=""))
    wait_for(browser, css)


def wait_for(browser: WebDriver, css: str) -> None:
    WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def text_of(browser: WebDriver, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text


def matrix_names(browser: WebDriver) -> list[str]:
    return [
        row.find_element(By.CSS_SELECTOR, "td.org a").text
        for row in browser.find_elements(By.CSS_SELECTOR, "tr.matrix-row")
    ]


def wait_rows(browser: WebDriver, count: int) -> None:
    WebDriverWait(browser, 15).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "tr.matrix-row")) == count
    )


def screenshot(browser: WebDriver, name: str, tmp: Path) -> None:
    browser.save_screenshot(str(tmp / name))
    target = os.environ.get("DASHBOARD_SCREENSHOTS")
    if target:
        # The whole page, as tall as it is, at the phone's width.
        height = browser.execute_script("return document.documentElement.scrollHeight")
        phone_size(browser, min(int(height), 1600))
        browser.save_screenshot(str(Path(target) / name))
        phone_size(browser, PHONE_HEIGHT)


def database_counts(site: DashboardSite) -> dict[str, int]:
    path = site.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT review_state, count(*) FROM reports GROUP BY review_state").fetchall()
        done = db.execute("SELECT count(*) FROM reports WHERE status = 'done'").fetchone()[0]
    return {**dict(rows), "done": done}


def test_overview_shows_the_databases_numbers(
    browser: WebDriver, site: DashboardSite, tmp_path: Path
) -> None:
    open_as(browser, site, init_data(OFFICIAL_ID), "#overall-percent")
    counts = database_counts(site)
    assert text_of(browser, "#scope") == "Весь регион"
    assert text_of(browser, "#overall-percent") == "23,1%"
    assert text_of(browser, "#overall-done").startswith(f"Выполнено {counts['done']} из 13")
    for state in ("pending", "accepted", "returned"):
        assert text_of(browser, f"#review-{state} b") == str(counts[state])
    assert text_of(browser, "#review-returned").startswith("Возвращено на доработку")
    lights = browser.find_elements(By.CSS_SELECTOR, "#municipalities li")
    assert [li.get_attribute("data-light") for li in lights] == ["red", "red"]
    assert "Просроченных позиций: 10" in text_of(browser, "#overdue")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    screenshot(browser, "dashboard-overview.png", tmp_path)


def test_matrix_filters_and_search(browser: WebDriver, site: DashboardSite, tmp_path: Path) -> None:
    open_as(browser, site, init_data(ADMIN_ID), "#overall-percent")
    browser.find_element(By.ID, "tab-matrix").click()
    wait_rows(browser, 6)
    assert text_of(browser, "#found") == "Найдено организаций: 6"
    screenshot(browser, "dashboard-matrix.png", tmp_path)
    Select(browser.find_element(By.ID, "f-review")).select_by_visible_text("Возвращено на доработку")
    wait_rows(browser, 1)
    assert matrix_names(browser) == ["Школа № 2"]
    Select(browser.find_element(By.ID, "f-review")).select_by_value("")
    wait_rows(browser, 6)
    Select(browser.find_element(By.ID, "f-status")).select_by_visible_text("Нет отчёта")
    wait_rows(browser, 2)
    Select(browser.find_element(By.ID, "f-status")).select_by_value("")
    wait_rows(browser, 6)
    browser.find_element(By.ID, "search").send_keys("гимназия")
    wait_rows(browser, 1)
    assert matrix_names(browser) == ["Гимназия № 3"]
    browser.find_element(By.CSS_SELECTOR, "tr.matrix-row td.org a").click()
    wait_for(browser, "#org-name")
    assert text_of(browser, "#org-name") == "Гимназия № 3"
    assert "Нет профильных классов" in text_of(browser, "main")


def test_municipal_authority_sees_only_its_municipality(browser: WebDriver, site: DashboardSite) -> None:
    open_as(browser, site, init_data(NORTH_AUTHORITY_ID), "#overall-percent")
    assert text_of(browser, "#scope") == f"Муниципалитет: {NORTH}"
    assert [
        li.text.split("\n")[0] for li in browser.find_elements(By.CSS_SELECTOR, "#municipalities li")
    ] == [NORTH]
    browser.find_element(By.ID, "tab-matrix").click()
    wait_rows(browser, 3)
    assert not browser.find_elements(By.ID, "f-municipality")
    assert all(NORTH in row.text for row in browser.find_elements(By.CSS_SELECTOR, "tr.matrix-row"))


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (init_data(OFFICIAL_ID).replace("hash=", "hash=0"), "Telegram не подтвердил данные входа"),
        (init_data(OFFICIAL_ID, age=dt.timedelta(days=2)), "Данные входа устарели"),
        (init_data(MEMBER_ID), "У вас к ней доступа нет"),
    ],
    ids=["tampered", "stale", "member"],
)
def test_refusals_show_the_reason_and_no_data(
    browser: WebDriver, site: DashboardSite, auth: str, message: str
) -> None:
    open_as(browser, site, auth, "#error")
    assert message in text_of(browser, "#error")
    assert not browser.find_elements(By.ID, "overall")
    assert not browser.find_elements(By.ID, "matrix")


def test_organization_page_names_who_decided(browser: WebDriver, site: DashboardSite) -> None:
    """Last: it adds a decision. A municipal authority accepted the school's answer; the page says so as
    the chat card does."""
    authority = "Управление образования Северного района"
    asyncio.run(record_decision(site, "Школа № 1", RevisionEvent.ACCEPTED, (NORTH_AUTHORITY_ID, authority)))
    open_as(browser, site, init_data(OFFICIAL_ID), "#overall-percent")
    browser.find_element(By.ID, "tab-matrix").click()
    wait_rows(browser, 6)
    browser.find_element(By.ID, "search").send_keys("Школа № 1")
    wait_rows(browser, 1)
    browser.find_element(By.CSS_SELECTOR, "tr.matrix-row td.org a").click()
    wait_for(browser, "p.decided")
    assert text_of(browser, "p.decided") == f"Принято: Сотрудник {NORTH_AUTHORITY_ID}, {authority}"
    assert f"Отчёт принят · Сотрудник {NORTH_AUTHORITY_ID}, {authority}" in text_of(browser, "main")
