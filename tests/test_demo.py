"""Issue 7: the offline demo runs the whole cycle and leaves a transcript and the digest files."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from bot.cli.demo import run_demo


async def test_demo_tour(tmp_path: Path) -> None:
    out = io.StringIO()
    pauses = 0

    async def count_pause() -> None:
        nonlocal pauses
        pauses += 1

    result = await run_demo(tmp_path / "out", step=True, out=out, pause=count_pause)
    printed = out.getvalue()

    assert "[10/10] Файлы сводки сохранены" in printed
    assert pauses > 30  # --step paused after each exchange
    admin = result.transcripts["Анна (администратор)"]
    assert "Добавлено: 11" in admin
    assert "завершена: доставлено" in admin and "Не доставлено" in admin and "Елена Соколова" in admin
    irina = result.transcripts["Ирина (Дом детского творчества)"]
    assert "[📝 Отчитаться]" in irina and "Отчёт отправлен на проверку (версия 3)" in irina
    assert "Отчёт возвращён на доработку" in irina and "[📝 Доработать]" in irina
    assert "Департамент принял ваш отчёт" in irina
    assert "📎 приказ_об_открытии.pdf" in irina
    assert "Решение муниципального органа «Отдел образования" in irina  # delegated review accepted 4.2
    municipal = result.transcripts["Дмитрий (Отдел образования)"]
    assert "Учреждений: 2, из них без единого зарегистрированного представителя: 1." in municipal
    assert "Приглашение для организации «МБУ ДО «Детско-юношеский центр» г. Вязьмы»" in municipal
    assert "их получит 1 организация" in municipal
    assert "Учреждения муниципалитета: Вяземский район" in municipal
    official = result.transcripts["Олег (департамент)"]
    assert "Сводка о выполнении резолюции" in official

    xlsx, png = result.files
    assert xlsx.exists() and png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    matrix = list(load_workbook(xlsx, read_only=True)["Матрица"].iter_rows(values_only=True))
    by_org = {row[0]: row for row in matrix[1:]}
    vyazma = by_org["МБУ ДО «Дом детского творчества» г. Вязьмы"]
    # The department accepted one of them and returned the other for revision (the review stage).
    assert vyazma[matrix[0].index("4.1")].startswith("Выполнено")
    assert vyazma[matrix[0].index("4.2")].startswith("Выполнено")
    assert str(tmp_path / "out") in printed
