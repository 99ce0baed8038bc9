"""Russian texts: the source of truth. Values are Telegram HTML templates; parameters are escaped."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    # --- command menu ---
    "cmd.start": "Начать работу с ботом",
    "cmd.help": "Что умеет бот",
    "cmd.cancel": "Отменить текущее действие",
    "cmd.report": "Отчитаться по рекомендациям",
    "cmd.my": "Сводка по моей организации",
    "cmd.digest": "Сводка о ходе выполнения",
    "cmd.status": "Просмотр отчётов организаций",
    "cmd.orgs": "Организации",
    "cmd.add_org": "Добавить организацию",
    "cmd.import_orgs": "Загрузить организации из файла",
    "cmd.resolutions": "Резолюции",
    "cmd.remind": "Напомнить тем, кто не отчитался",
    "cmd.invite_official": "Пригласить сотрудника департамента",
    "cmd.grant": "Выдать роль",
    "cmd.revoke": "Снять роль",
    # --- roles and kinds ---
    "role.admin": "администратор",
    "role.official": "сотрудник департамента",
    "role.member": "представитель организации",
    "kind.department": "Департамент (региональный орган)",
    "kind.municipal": "Муниципальный орган управления образованием",
    "kind.institute": "Региональный институт развития образования",
    "kind.institution": "Учреждение дополнительного образования",
    "kind.other": "Другое",
    # --- /start, /help, /cancel ---
    "start.stranger": (
        "Здравствуйте! Этот бот помогает отслеживать выполнение резолюции августовского "
        "педагогического форума.\n\nВы пока не зарегистрированы. Попросите администратора бота "
        "в департаменте образования прислать вам ссылку-приглашение для вашей организации.\n"
        "Ваш Telegram ID: <code>{telegram_id}</code>"
    ),
    "start.admin": "Здравствуйте, {name}! Вы — администратор. Список команд: /help",
    "start.official": "Здравствуйте, {name}! Вы — сотрудник департамента. Список команд: /help",
    "start.member": "Здравствуйте, {name}! Рекомендации для вашей организации: /report. Справка: /help",
    "start.joined": (
        "Готово! Вы зарегистрированы как представитель организации «<b>{org}</b>».\n"
        "Рекомендации резолюции, адресованные вашей организации, придут сюда. Отчитаться: /report"
    ),
    "start.official_joined": "Готово! Вы зарегистрированы как сотрудник департамента. Сводка: /digest",
    "help.stranger": (
        "Бот отслеживает выполнение резолюции педагогического форума.\n"
        "Чтобы начать, откройте ссылку-приглашение от администратора."
    ),
    "help.member": (
        "<b>Что можно сделать</b>\n"
        "/report — рекомендации для вашей организации и отчёт по каждой\n"
        "/my — сводка по вашей организации\n"
        "/cancel — прервать текущий диалог"
    ),
    "help.official": (
        "<b>Что можно сделать</b>\n"
        "/digest — сводка о ходе выполнения резолюции (текст, Excel, диаграмма)\n"
        "/status — отчёты организаций: резолюция → группа или муниципалитет → организация\n"
        "/documents — отчёт о ходе выполнения резолюции (DOCX)\n"
        "/cancel — прервать текущее действие"
    ),
    "help.admin": (
        "<b>Организации</b>\n"
        "/orgs — список с фильтрами и карточками\n"
        "/add_org — добавить организацию\n"
        "/import_orgs — формат файла для массовой загрузки (пришлите CSV или XLSX)\n\n"
        "<b>Резолюции</b>\n"
        "/resolutions — загруженные резолюции; чтобы загрузить новую, пришлите файл TXT, MD или DOCX\n"
        "/remind — напомнить организациям, которые не отчитались\n\n"
        "<b>Сводки</b>\n"
        "/digest, /status, /documents — как у сотрудников департамента\n"
        "/letters — письма-приглашения организациям (DOCX с QR-кодами и таблица ссылок)\n\n"
        "<b>Роли</b>\n"
        "/invite_official — ссылка-приглашение для сотрудника департамента\n"
        "/grant ID admin|official — выдать роль\n"
        "/revoke ID — снять роль\n"
        "/cancel — прервать текущее действие"
    ),
    "cancelled": "Действие отменено.",
    "cancelled_short": "Отменено",
    "nothing_to_cancel": "Сейчас нечего отменять.",
    # --- refusals ---
    "refused.stranger": (
        "Команда /{command} доступна только зарегистрированным пользователям. "
        "Попросите администратора прислать вам ссылку-приглашение."
    ),
    "refused.stranger_text": (
        "Вы пока не зарегистрированы. Попросите администратора бота прислать вам ссылку-приглашение."
    ),
    "refused.command": "Команда /{command} вам недоступна. Список ваших команд: /help",
    "refused.button": "Эта кнопка устарела или недоступна вам.",
    "unknown_command": "Такой команды нет. Список команд: /help",
    "not_understood": "Не понял сообщение. Список команд: /help",
    # --- invitations ---
    "invite.created": (
        "Приглашение для организации «<b>{org}</b>»:\n{link}\n\n"
        "Ссылка одноразовая и действует до {expires}. Перешлите её руководителю организации."
    ),
    "invite.official_created": (
        "Приглашение для сотрудника департамента:\n{link}\n\nСсылка одноразовая и действует до {expires}."
    ),
    "invite.unknown": (
        "Такого приглашения нет. Проверьте, что ссылка скопирована целиком, или попросите администратора прислать новую."
    ),
    "invite.used": "Это приглашение уже использовано. Попросите администратора прислать новую ссылку.",
    "invite.expired": "Срок действия приглашения истёк. Попросите администратора прислать новую ссылку.",
    "invite.revoked": "Это приглашение отозвано администратором. Попросите прислать новую ссылку.",
    "invite.org_inactive": "Организация этого приглашения отключена. Обратитесь к администратору.",
    "invite.already_privileged": (
        "Вы уже администратор или сотрудник департамента, поэтому приглашение не использовано — "
        "его можно передать тому, кому оно предназначено."
    ),
    "invite.cannot_invite_inactive": "Организация «{name}» отключена: сначала включите её.",
    "invite.cannot_revoke": "Приглашение уже использовано или отозвано.",
    # --- organizations ---
    "org.name_empty": "Название не может быть пустым. Введите название организации.",
    "org.name_too_long": "Название длиннее {limit} символов. Сократите его, пожалуйста.",
    "org.municipality_too_long": "Название муниципалитета длиннее {limit} символов. Сократите его, пожалуйста.",
    "org.duplicate": "Такая организация уже есть: «{name}». Ничего не добавлено.",
    "org.not_found": "Организация не найдена.",
    "add_org.ask_name": "Новая организация. Введите её полное название:",
    "add_org.ask_kind": "«<b>{name}</b>». Выберите вид организации:",
    "add_org.ask_municipality": "Выберите муниципалитет:",
    "add_org.type_municipality": "Введите название муниципалитета (например, «Вяземский район»):",
    "add_org.confirm": (
        "Проверьте данные:\n\n<b>{name}</b>\nВид: {kind}\nМуниципалитет: {municipality}\n\nСохранить?"
    ),
    "add_org.created": "✅ Организация добавлена.",
    "add_org.use_buttons": "Пожалуйста, ответьте на вопрос выше — кнопкой или текстом — или нажмите «Отмена».",
    "btn.cancel": "Отмена",
    "btn.save": "Сохранить",
    "btn.no_municipality": "Без муниципалитета (региональный уровень)",
    "btn.other_municipality": "Другой — ввести название",
    "orgs.title": "<b>Организации</b> (найдено: {total})",
    "orgs.filters": "Вид: {kind}\nМуниципалитет: {municipality}",
    "orgs.any": "все",
    "orgs.empty": "\nНичего не найдено. Добавьте организацию: /add_org, или пришлите файл CSV/XLSX.",
    "orgs.choose_kind": "Фильтр по виду организации:",
    "orgs.choose_muni": "Фильтр по муниципалитету:",
    "btn.filter_kind": "Вид ▾",
    "btn.filter_muni": "Муниципалитет ▾",
    "card.title": "<b>{name}</b>",
    "card.kind": "Вид: {kind}",
    "card.municipality": "Муниципалитет: {municipality}",
    "card.no_municipality": "— (региональный уровень)",
    "card.active": "Статус: ✅ активна",
    "card.inactive": "Статус: ⛔ отключена",
    "card.members": ("{n} представитель:", "{n} представителя:", "{n} представителей:"),
    "card.member_line": "• {name}{handle}",
    "card.pending": (
        "{n} действующее приглашение",
        "{n} действующих приглашения",
        "{n} действующих приглашений",
    ),
    "card.invite_line": "• приглашение №{number}, действует до {expires}",
    "btn.revoke_invite": "Отозвать приглашение №{number}",
    "btn.new_invite": "➕ Новое приглашение",
    "btn.deactivate": "⛔ Отключить",
    "btn.reactivate": "✅ Включить",
    "btn.back_to_list": "« К списку",
    # --- roles ---
    "roles.grant_usage": "Формат: <code>/grant ID admin</code> или <code>/grant ID official</code>",
    "roles.revoke_usage": "Формат: <code>/revoke ID</code>",
    "roles.granted": "{name} теперь — {role}.",
    "roles.revoked": "У пользователя {name} больше нет роли.",
    "roles.not_grantable": "Эту роль нельзя выдать командой.",
    "roles.unknown_person": (
        "Пользователь с ID {telegram_id} ещё не писал боту. Попросите его отправить боту /start и повторите."
    ),
    "roles.env_admin": "Пользователь {telegram_id} — администратор из настроек (ADMIN_IDS); снять роль можно только там.",
    "roles.nothing_to_revoke": "У пользователя {telegram_id} нет роли администратора или сотрудника департамента.",
    # --- files and bulk import ---
    "files.unsupported": (
        "Файл «{name}» не подходит. Пришлите таблицу организаций (CSV или XLSX) "
        "или резолюцию (TXT, MD или DOCX)."
    ),
    "import.help": (
        "<b>Массовая загрузка организаций</b>\n"
        "Пришлите файл CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX (первый лист). "
        "Первая строка — заголовки:\n"
        "• <code>название</code> (или <code>name</code>) — обязательно;\n"
        "• <code>тип</code> (или <code>kind</code>) — обязательно: департамент, муниципальный, "
        "институт, учреждение, другое (или department, municipal, institute, institution, other);\n"
        "• <code>муниципалитет</code> (или <code>municipality</code>) — можно оставить пустым.\n\n"
        "Повторы (то же название в том же муниципалитете) пропускаются, строки с ошибками "
        "отклоняются — бот перечислит их с причиной. Остальное добавляется одной транзакцией."
    ),
    "import.empty_file": "Файл пустой.",
    "import.file_too_big": "Файл больше {limit_mb} МБ. Разбейте его на части.",
    "import.unsupported_format": "Нужен файл CSV или XLSX.",
    "import.no_header": "В файле нет строки заголовков.",
    "import.too_many_rows": "В файле больше {limit} строк. Разбейте его на части.",
    "import.bad_encoding": "Не удалось прочитать текст файла: сохраните его в UTF-8 или Windows-1251.",
    "import.bad_xlsx": "Файл XLSX повреждён или это не таблица Excel.",
    "import.missing_columns": "Нет обязательных столбцов: {columns}. Формат файла: /import_orgs",
    "import.no_name": "(без названия)",
    "import.row_no_name": "нет названия",
    "import.row_name_too_long": "название длиннее {limit} символов",
    "import.row_municipality_too_long": "муниципалитет длиннее {limit} символов",
    "import.row_bad_kind": "неизвестный тип «{value}»",
    "import.row_exists": "уже зарегистрирована",
    "import.row_repeated": "повтор строки {first}",
    "import.summary": "<b>Загрузка организаций</b>\nДобавлено: {added}\nПропущено (повторы): {duplicates}\nОтклонено: {rejected}",
    "import.added_header": "<b>Добавлены:</b>",
    "import.duplicates_header": "<b>Пропущены как повторы:</b>",
    "import.rejected_header": "<b>Отклонены:</b>",
    "import.row": "строка {row}: {name}{reason}",
    "import.dry_run": "Пробный прогон: ничего не сохранено.",
    # --- resolutions ---
    "kind_short.department": "Департамент",
    "kind_short.municipal": "Муниципалитеты",
    "kind_short.institute": "Институт",
    "kind_short.institution": "Учреждения",
    "kind_short.other": "Другое",
    "res.title": "📜 <b>{title}</b>",
    "res.details": "{details}",
    "res.status.draft": "Статус: черновик (не опубликована)",
    "res.status.published": "Статус: ✅ опубликована",
    "res.status.withdrawn": "Статус: снята с публикации",
    "res.status_short.draft": "Черновик",
    "res.status_short.published": "Опубликована",
    "res.status_short.withdrawn": "Снята",
    "res.deadline": "Срок выполнения: {date}",
    "res.groups_total": (
        "{n} группа адресатов, рекомендаций: {recs}",
        "{n} группы адресатов, рекомендаций: {recs}",
        "{n} групп адресатов, рекомендаций: {recs}",
    ),
    "res.group_line": "<b>{number}. {heading}</b>",
    "res.group_meta": "Кому: {kind} · рекомендаций: {count}",
    "res.rec_sample": "  {number} {text}",
    "res.preview_hint": (
        "Проверьте, кому адресована каждая группа: кнопки ниже меняют вид организаций-адресатов. "
        "Затем при необходимости задайте срок и опубликуйте."
    ),
    "res.choose_group_kind": "Группа {number} «{heading}». Каким организациям она адресована?",
    "res.ask_deadline": (
        "Введите срок выполнения всей резолюции в формате ДД.ММ.ГГГГ (например, 31.05.2027) "
        "или срок отдельной рекомендации: её номер и дату (например, <code>2.3 31.05.2027</code>)."
    ),
    "res.rec_deadlines": "Сроки отдельных рекомендаций: {items}",
    "res.no_such_recommendation": "В резолюции нет рекомендации {number}.",
    "res.discarded": "Черновик резолюции удалён.",
    "res.publish_confirm": (
        "Опубликовать «<b>{title}</b>»?\n\n"
        "Получателей: {recipients}, сообщений: {messages}.\n"
        "Организаций без зарегистрированных представителей: {unstaffed} — они получат рекомендации, "
        "когда их представители присоединятся по приглашению."
    ),
    "res.published_no_recipients": (
        "Резолюция опубликована. Зарегистрированных получателей пока нет: рекомендации придут "
        "представителям организаций, как только они присоединятся."
    ),
    "res.list_title": "<b>Резолюции</b> — выберите, чтобы открыть. Новую загрузите файлом TXT, MD или DOCX.",
    "res.list_empty": "Резолюций пока нет. Пришлите файл резолюции (TXT, MD или DOCX).",
    "res.not_found": "Резолюция не найдена.",
    "res.not_draft": "Резолюция уже опубликована или снята: менять её нельзя.",
    "res.not_published": "Резолюция не опубликована.",
    "res.empty": "В резолюции нет ни одной рекомендации.",
    "res.bad_date": "Не понял дату. Введите её в формате ДД.ММ.ГГГГ, например 31.05.2027.",
    "res.deadline_past": "Срок должен быть в будущем.",
    "res.too_big": "Файл резолюции больше {limit_mb} МБ.",
    "res.parse_failed": "Не удалось разобрать резолюцию: {reason}",
    "btn.group_kind": "Группа {number}: {kind} ✎",
    "btn.deadline": "📅 Срок",
    "btn.no_deadline": "Без срока",
    "btn.publish": "📤 Опубликовать",
    "btn.confirm_publish": "✅ Да, опубликовать",
    "btn.discard": "🗑 Удалить черновик",
    "btn.withdraw": "Снять с публикации",
    "btn.back": "« Назад",
    # --- delivery ---
    "delivery.resolution": "«{title}»",
    "delivery.resolution_dated": "«{title}» от {date}",
    "delivery.intro": "📜 Резолюция {resolution}\nАдресат: <b>{org}</b>",
    "delivery.intro_count": (
        "Вашей организации адресована {n} рекомендация:",
        "Вашей организации адресованы {n} рекомендации:",
        "Вашей организации адресовано {n} рекомендаций:",
    ),
    "delivery.intro_group": "• {heading}",
    "delivery.deadline": "Срок выполнения: {date}",
    "delivery.intro_howto": "Каждая рекомендация придёт отдельным сообщением с кнопкой «Отчитаться».",
    "delivery.rec_title": "<b>Рекомендация {number}</b>",
    "delivery.rec_body": "{text}",
    "delivery.rec_source": "<i>Резолюция {resolution}</i>",
    "btn.report": "📝 Отчитаться",
    "delivery.progress": (
        "📤 Рассылка «{title}»: отправлено {sent} из {total} сообщений\n"
        "В очереди: {queued} · недоступны получатели: {unreachable} · ошибки: {failed}"
    ),
    "delivery.progress_done": (
        "✅ Рассылка «{title}» завершена: доставлено {sent} из {total} сообщений\n"
        "Недоступны получатели: {unreachable} · ошибки: {failed}"
    ),
    "delivery.unreachable_header": "<b>Не доставлено:</b>",
    "delivery.unreachable_line": "• {name} — {org} ({reason})",
    "delivery.reason_blocked": "заблокировал бота или недоступен",
    "delivery.reason_failed": "ошибка отправки",
    # --- reports ---
    "status.none": "Нет отчёта",
    "status.not_started": "Не начато",
    "status.in_progress": "В работе",
    "status.done": "Выполнено",
    "status.not_applicable": "Не применимо",
    "report.rec_heading": "<b>Рекомендация {number}</b>\n{text}",
    "report.current": "Текущий статус: {status}",
    "report.current_comment": "Комментарий: {comment}",
    "report.pick_status": "Выберите статус выполнения:",
    "report.ask_reason": "Почему рекомендация не применима к вашей организации? Напишите причину одним сообщением.",
    "report.ask_comment": "Напишите комментарий: что сделано, что планируется (одним сообщением, до 2000 символов).",
    "report.ask_evidence": (
        "Прикрепите подтверждения: документы, фото (можно альбомом), ссылки или текст — по одному или "
        "несколько сообщений. Каждое будет подтверждено. Когда закончите, нажмите «Готово»."
    ),
    "report.evidence_added": "📎 Принято: {item}",
    "report.evidence_total": (
        "Всего {n} подтверждение.",
        "Всего {n} подтверждения.",
        "Всего {n} подтверждений.",
    ),
    "report.too_much_evidence": "Можно прикрепить не больше {limit} подтверждений к одному отчёту.",
    "report.file_too_big": (
        "Файл больше 20 МБ — бот не может его получить. Пришлите ссылку на файл в облачном хранилище "
        "или файл поменьше. Можно продолжать."
    ),
    "report.file_repeated": "Этот файл уже добавлен.",
    "report.empty_evidence_done": "Вы ещё ничего не прикрепили. Пришлите файл, фото или ссылку — или нажмите «Без подтверждений».",
    "report.unsupported": (
        "Такие сообщения (стикеры, голосовые, геопозиция и т. п.) нельзя приложить к отчёту. "
        "Пришлите документ, фото, ссылку или текст."
    ),
    "report.use_status_buttons": "Выберите статус кнопкой под сообщением выше.",
    "report.text_expected": "Нужен текст — напишите его одним сообщением.",
    "report.use_confirm_buttons": "Проверьте отчёт и нажмите «Отправить», «Изменить» или «Отмена».",
    "report.confirm_title": "<b>Проверьте отчёт</b>",
    "report.confirm_status": "Статус: {status}",
    "report.confirm_reason": "Причина: {reason}",
    "report.confirm_comment": "Комментарий: {comment}",
    "report.confirm_evidence": ("{n} подтверждение:", "{n} подтверждения:", "{n} подтверждений:"),
    "report.confirm_no_evidence": "Подтверждений нет.",
    "report.confirm_previous": "Это изменение отчёта (сейчас версия {version}); прежние версии сохранятся в истории.",
    "report.saved": "✅ Отчёт принят (версия {version}). Изменить его можно в любой момент: /report",
    "report.saved_short": "Отчёт принят",
    "report.edit_hint": "Измените отчёт: комментарий и подтверждения сохранены, их можно дополнить.",
    "report.cancelled": "Отчёт не отправлен. Вернуться к нему: /report",
    "report.members_only": "Отчитываться могут только представители организаций.",
    "report.org_inactive": "Ваша организация отключена администратором.",
    "report.not_yours": "Эта рекомендация адресована не вашей организации.",
    "report.withdrawn": "Резолюция снята с публикации: отчёт по ней больше не принимается.",
    "report.no_status": "Сначала выберите статус.",
    "report.reason_empty": "Укажите причину, по которой рекомендация не применима.",
    "report.reason_too_long": "Причина слишком длинная ({length} символов, можно {limit}). Сократите, пожалуйста.",
    "report.comment_empty": "Комментарий пустой. Напишите, что сделано.",
    "report.comment_too_long": (
        "Комментарий слишком длинный ({length} символов, можно {limit}). Сократите его или приложите "
        "подробности файлом на следующем шаге."
    ),
    "report.empty_evidence": "Пустое сообщение не может быть подтверждением.",
    "report.text_too_long": "Текст слишком длинный ({length} символов, можно {limit}). Приложите его файлом.",
    "report.nothing_changed": "В отчёте ничего не изменилось — сохранять нечего.",
    "report.list_empty": "Для организации «{org}» пока нет опубликованных рекомендаций.",
    "report.list_title": "<b>Рекомендации для «{org}»</b> (стр. {page} из {pages})",
    "report.list_resolution": "📜 <i>{title}</i>",
    "report.list_line": "{icon} {number} {text}",
    "report.list_legend": "Нажмите на рекомендацию, чтобы отчитаться или изменить отчёт.\n✅ выполнено · 🔄 в работе · ⬜ не начато · ➖ не применимо · ❔ нет отчёта",
    "my.title": "<b>{org}</b>",
    "my.progress": "Выполнено {done} из {applicable} применимых рекомендаций ({percent}%).",
    "my.line": "{label}: {count}",
    "my.with_deadline": "Рекомендаций со сроком, ещё не выполненных: {count}.",
    "my.hint": "Отчитаться: /report",
    "evidence.document": "документ «{name}»",
    "evidence.photo": "фото",
    "evidence.link": "ссылка {url}",
    "evidence.text": "текст «{text}»",
    "btn.keep_comment": "Оставить прежний комментарий",
    "btn.evidence_done": "Готово ({count})",
    "btn.no_evidence": "Без подтверждений",
    "btn.submit": "✅ Отправить",
    "btn.edit": "✏️ Изменить",
    # --- reminders ---
    "remind.deadline": (
        "⏰ <b>Напоминание</b>: срок по резолюции «{resolution}» — {date} (осталось дней: {days}).\n"
        "«{org}» ещё не отчиталась по рекомендациям:"
    ),
    "remind.nudge": (
        "👋 «{org}»: уже {days} дн. нет новых отчётов по резолюции «{resolution}». Не хватает отчётов по рекомендациям:"
    ),
    "remind.manual": "📣 Администратор напоминает: «{org}» ещё не отчиталась по резолюции «{resolution}»:",
    "remind.line": "• {number} {text}",
    "remind.more": "…и ещё {count}",
    "remind.hint": "Нажмите на номер, чтобы отчитаться, или откройте /report.",
    "remind.choose": "Кому напомнить? Выберите резолюцию — напоминание получат организации, не отчитавшиеся хотя бы по одной рекомендации.",
    "remind.none_published": "Опубликованных резолюций нет — напоминать не о чем.",
    "remind.confirm": "Напомнить по резолюции «{title}»? Организаций без отчёта: {orgs}.",
    "remind.nobody": "По резолюции «{title}» все организации уже отчитались.",
    "remind.sent": "📣 Напоминания поставлены в очередь: организаций — {orgs}, сообщений — {messages}.",
    "btn.remind_confirm": "📣 Напомнить",
    # --- status ---
    "status.no_resolutions": "Опубликованных резолюций пока нет.",
    "status.choose_resolution": "<b>Ход выполнения</b> — выберите резолюцию:",
    "status.overall": (
        "Выполнено {done} из {total} ({percent}%). Ответов: {answered}.\n"
        "Организаций: {orgs}, из них без единого ответа: {silent}."
    ),
    "status.by_group": "<b>По группам адресатов:</b>",
    "status.group_line": "{number}. {heading} ({kind})",
    "status.by_municipality": "<b>По муниципалитетам:</b>",
    "status.muni_line": "• {name}: {done}/{total} ({percent}%)",
    "status.group_title": "<b>Группа {number}.</b> {heading}",
    "status.muni_title": "<b>{name}</b>",
    "status.orgs_hint": "Организации (выполнено/всего), стр. {page} из {pages}. 🔇 — нет ни одного ответа.",
    "status.report_status": "Статус: {status}",
    "status.report_version": "Версия {version}, обновлено {when}",
    "status.history_title": "<b>История отчёта</b> «{name}», рекомендация {number}",
    "status.history_earlier": "(ещё {count} более ранних версий)",
    "status.history_line": "<b>v{version}</b> {when} — {who}: {status}",
    "status.change_status": "  статус: {old} → {new}",
    "status.change_comment": "  комментарий: {comment}",
    "status.change_evidence": "  добавлено подтверждений: {count}",
    "status.file_lost": "Файл «{name}» недоступен.",
    "btn.by_municipality": "🏙 По муниципалитетам",
    "btn.history": "🕘 История изменений",
    "btn.get_files": "📎 Получить подтверждения",
    # --- digest delivery ---
    "digest.menu": "<b>Сводка о ходе выполнения</b>: текст, файл Excel и диаграмма. Что включить?",
    "digest.nothing_published": "Опубликованных резолюций пока нет — сводку составлять не из чего.",
    "digest.choose_municipality": "Выберите муниципалитет:",
    "digest.preparing": "⏳ Сводка составляется и придёт следующими сообщениями.",
    "digest.xlsx_caption": "📊 Сводка: сводные данные, матрица «организация × рекомендация», муниципалитеты, подтверждения",
    "digest.chart_caption": "Ход выполнения по группам адресатов и муниципалитетам",
    "btn.digest_all": "📊 По всем резолюциям",
    "btn.digest_municipality": "🏙 По муниципалитету…",
    # --- digest ---
    "digest.title": "📊 <b>Сводка о выполнении резолюции на {date}</b>",
    "digest.resolution": "📜 {title}",
    "digest.only_municipality": "Муниципалитет: <b>{name}</b>",
    "digest.overall": "<b>Выполнено {percent}%</b>: {done} из {applicable} применимых рекомендаций.",
    "digest.overall_detail": (
        "В работе: {in_progress} · не начато: {not_started} · не применимо: {not_applicable} · "
        "нет ответа: {no_answer}\nОрганизаций: {orgs}, не ответили ни разу: {silent}"
    ),
    "digest.changes": "С прошлой сводки: выполнено {done}, ответов {answered}, впервые ответили организаций: {orgs}.",
    "digest.tally": "{percent}% ({done}/{applicable}), в работе {in_progress}, нет ответа {no_answer}",
    "digest.by_group": "<b>По группам адресатов</b>",
    "digest.group_line": "{number}. {heading}: {tally}",
    "digest.by_municipality": "<b>По муниципалитетам</b>",
    "digest.muni_line": "• {name}: {tally}",
    "digest.and_more": "…и ещё {count}",
    "digest.least_progress": "<b>Меньше всего продвинулись</b>",
    "digest.rec_line": "• {number} {text} — {tally}",
    "digest.silent": "<b>Не ответили ни разу ({count}):</b>",
    "digest.overdue": "<b>Просрочили срок ({count}):</b>",
    "digest.org_line": "• {name} ({municipality})",
    "digest.files_hint": "Подробно — в файле Excel и на диаграмме ниже. Отчёты организаций: /status",
    "digest.no_cells": "В этой выборке нет ни одной пары «организация × рекомендация».",
    "digest.changes_percent": "Доля выполненного изменилась на {points} п. п.",
    "digest.overdue_line": "• {name} ({municipality}) — открыто после срока: {count}",
    # --- services ---
    "btn.remind_report": "📝 {number}",
    "digest.file_name": "svodka-{day}.xlsx",
    "doc.sheet_summary": "Сводка",
    "doc.sheet_matrix": "Матрица",
    "doc.sheet_municipalities": "Муниципалитеты",
    "doc.sheet_evidence": "Подтверждения",
    "doc.summary_title": "Сводка на {date}",
    "doc.summary_municipality": "Муниципалитет: {name}",
    "doc.summary_organizations": "Организаций: {count}",
    "doc.summary_silent": "Не ответили ни разу: {count}",
    "doc.summary_overdue": "Просрочили срок: {count}",
    "doc.col.group": "Группа адресатов",
    "doc.col.recommendation": "Рекомендация",
    "doc.col.total": "Всего",
    "doc.col.percent_done": "% выполнения",
    "doc.col.organization": "Организация",
    "doc.col.municipality": "Муниципалитет",
    "doc.col.organizations": "Организаций",
    "doc.col.silent": "Не ответили ни разу",
    "doc.col.kind": "Вид",
    "doc.col.content": "Файл, ссылка или текст",
    "doc.col.size": "Размер, байт",
    "doc.col.added": "Добавлено (UTC)",
    "doc.no_answer": "Нет ответа",
    "doc.kind.document": "Документ",
    "doc.kind.photo": "Фото",
    "doc.kind.link": "Ссылка",
    "doc.kind.text": "Текст",
    "doc.chart_title": "Ход выполнения резолюции на {date}",
    "doc.chart_by_group": "По группам адресатов",
    "doc.chart_by_municipality": "По муниципалитетам",
    "doc.chart_axis": "Доля пар «организация × рекомендация», %",
    # --- documents ---
    "documents.repeat_of": "повторяется: {year}, п. {number} (выполнено тогда: {done} из {applicable}, {percent}%)",
    "documents.repeats_header": "<b>Повторы рекомендаций прежних лет</b> (найдены по сходству текста; подтвердите или отвяжите):",
    "documents.repeat_line": "🔁 {number} — {repeat}",
    "documents.repeat_line_confirmed": "🔁 {number} — {repeat} · подтверждено",
    "documents.btn_confirm_repeat": "✓ {number}: это повтор",
    "documents.btn_unlink": "✕ {number}: не повтор",
    "documents.member_repeat": "🔁 Повторяет рекомендацию резолюции {year} г. (п. {number}).",
    "documents.repeat_of_plain": "повторяется: {year}, п. {number}",
    "documents.report.title": "ИНФОРМАЦИЯ о ходе выполнения резолюции",
    "documents.report.adopted": "Принята: {details}",
    "documents.report.as_of": "По состоянию на {date}",
    "documents.report.summary_heading": "1. Сводные показатели по группам адресатов",
    "documents.report.summary_text": "Число организаций-адресатов — {orgs}, рекомендаций — {recs}. Применимых пар «организация — рекомендация» — {applicable}, из них выполнено {done} ({percent} %), без сведений от организаций — {no_answer}.",
    "documents.report.col_number": "№ п/п",
    "documents.report.col_group": "Адресаты",
    "documents.report.col_orgs": "Организаций",
    "documents.report.col_recs": "Рекомендаций",
    "documents.report.col_pairs": "Пар всего",
    "documents.report.col_percent": "Выполнено, %",
    "documents.report.col_municipality": "Муниципальное образование",
    "documents.report.col_item": "Пункт",
    "documents.report.col_evidence": "Подтверждающий материал (файл, ссылка, описание)",
    "documents.report.total": "Итого",
    "documents.report.recs_heading": "2. Выполнение рекомендаций",
    "documents.report.rec_heading": "Рекомендация {number}",
    "documents.report.repeat_label": "Повторяется:",
    "documents.report.repeat": "рекомендация п. {number} резолюции {year} г.; тогда выполнено {done} из {applicable} ({percent} %).",
    "documents.report.repeat_plain": "рекомендация п. {number} резолюции {year} г.",
    "documents.report.counts_label": "Исполнение:",
    "documents.report.counts": "адресатов — {total}; выполнено — {done}, в работе — {in_progress}, не начато — {not_started}, не применимо — {not_applicable}, сведения не представлены — {no_answer}. Выполнено {percent} % применимых.",
    "documents.report.review_label": "Проверка отчётов:",
    "documents.report.review": "принято — {accepted}, на проверке — {pending}, возвращено на доработку — {returned}.",
    "documents.report.deadline_label": "Срок:",
    "documents.report.deadline": "{date}.",
    "documents.report.late": "Просрочили выполнение: {count}.",
    "documents.report.late_none": "Просроченных нет.",
    "documents.report.done_label": "Что сделано (по принятым отчётам):",
    "documents.report.done_none": "принятых отчётов с описанием пока нет.",
    "documents.report.reasons_label": "Причины «Не применимо»:",
    "documents.report.reasons_none": "не указаны.",
    "documents.report.and_more": "…и ещё {count}; полный перечень — в сводной таблице XLSX, которую формирует бот.",
    "documents.report.munis_heading": "3. Выполнение по муниципальным образованиям",
    "documents.report.no_municipality": "Без муниципалитета",
    "documents.report.nothing": "Сведений нет.",
    "documents.report.appendix_heading": "Приложение. Перечень подтверждающих материалов",
    "documents.report.appendix_empty": "Подтверждающие материалы не представлены.",
    "documents.report.appendix_more": "Перечень сокращён: ещё {count} — в сводной таблице XLSX, которую формирует бот (лист «Подтверждения»).",
    "documents.report.file_name": "Информация о ходе выполнения резолюции {day}.docx",
    "cmd.documents": "Документы: отчёт о выполнении резолюции",
    "cmd.letters": "Письма-приглашения организациям",
    "documents.menu": "<b>Документы</b>\nОтчёт о ходе выполнения резолюции (DOCX) — выберите резолюцию:",
    "documents.no_published": "Опубликованных резолюций пока нет.",
    "documents.btn_report": "📄 {title}",
    "documents.btn_letters": "✉️ Письма-приглашения",
    "documents.report.ready": "Отчёт готов.",
    "documents.report.caption": "Информация о ходе выполнения резолюции",
    "documents.report.not_published": "Резолюция №{res_id} не найдена или не опубликована: отчёт о выполнении составляется только по опубликованным резолюциям.",
    "documents.letters.choose": "<b>Письма-приглашения</b>\nКаким организациям подготовить письма? Для каждой будет создано приглашение; вы получите один файл DOCX (по странице на организацию, со ссылкой и QR-кодом) и таблицу XLSX со ссылками.",
    "documents.letters.btn_all": "Всем организациям",
    "documents.letters.btn_municipality": "Организациям муниципалитета…",
    "documents.letters.btn_unstaffed": "Тем, где никто не зарегистрирован",
    "documents.letters.choose_municipality": "Выберите муниципалитет:",
    "documents.letters.scope_all": "все действующие организации",
    "documents.letters.scope_kind": "организации вида «{kind}»",
    "documents.letters.scope_municipality": "организации муниципалитета «{name}»",
    "documents.letters.scope_unstaffed": "организации, где никто не зарегистрирован",
    "documents.letters.confirm": "Кому: {choice}.\nБудет создано приглашений и писем: <b>{count}</b>.\n\nПрежние неиспользованные приглашения этих организаций можно отозвать, чтобы действовали только ссылки из новых писем.",
    "documents.letters.nobody_in": "Кому: {choice}.\nПод этот выбор не подходит ни одна действующая организация.",
    "documents.letters.btn_go_revoke": "Создать, прежние приглашения отозвать",
    "documents.letters.btn_go_keep": "Создать, прежние оставить",
    "documents.letters.nobody": "Под этот выбор не подходит ни одна действующая организация.",
    "documents.letters.too_many": "Выбрано организаций: {count}, а за один раз можно подготовить не больше {limit} писем. Выберите вид организаций или муниципалитет.",
    "documents.letters.done": "✉️ Приглашения созданы: {count}. Прежних неиспользованных отозвано: {revoked}.\nПисьма и таблица ссылок — ниже.",
    "documents.letters.docx_caption": "Письма-приглашения: по странице на организацию",
    "documents.letters.xlsx_caption": "Таблица ссылок-приглашений",
    "documents.letters.docx_name": "Письма-приглашения {day}.docx",
    "documents.letters.xlsx_name": "Ссылки-приглашения {day}.xlsx",
    "documents.letters.sheet": "Приглашения",
    "documents.letters.col_org": "Организация",
    "documents.letters.col_municipality": "Муниципалитет",
    "documents.letters.col_link": "Ссылка-приглашение",
    "documents.letters.col_expires": "Действует до",
    "documents.letters.heading": "ПРИГЛАШЕНИЕ к работе с ботом контроля исполнения резолюции форума",
    "documents.letters.body": "Уважаемый руководитель! Департамент приглашает Вашу организацию отчитываться о выполнении рекомендаций резолюции форума педагогических работников через бот в Telegram. В боте Вы получите рекомендации, адресованные Вашей организации, сможете сообщать о ходе их выполнения и прикладывать подтверждающие материалы.",
    "documents.letters.step_open": "Чтобы подключиться, откройте ссылку ниже на телефоне или компьютере с установленным Telegram либо наведите камеру телефона на QR-код.",
    "documents.letters.step_start": "В открывшемся чате нажмите кнопку «Запустить» («Start»): бот сам свяжет Ваш аккаунт с организацией.",
    "documents.letters.link_label": "Ссылка:",
    "documents.letters.expires_label": "Срок действия:",
    "documents.letters.expires": "до {date} включительно.",
    "documents.letters.single_use": "Ссылка одноразовая и предназначена только для Вашей организации: не передавайте её посторонним. Если срок истёк, обратитесь в департамент за новой.",
    "documents.letters.already_made": "Письма по этому подтверждению уже подготовлены. Чтобы сделать новые, начните заново: /letters",
}
