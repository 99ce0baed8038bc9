"""English texts, the second locale. Same keys as `ru`, same parameters."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    "cmd.start": "Start working with the bot",
    "cmd.help": "What the bot can do",
    "cmd.cancel": "Cancel the current action",
    "cmd.report": "Report on recommendations",
    "cmd.my": "My organization's summary",
    "cmd.digest": "Progress digest",
    "cmd.status": "Browse organizations' reports",
    "cmd.orgs": "Organizations",
    "cmd.add_org": "Add an organization",
    "cmd.import_orgs": "Import organizations from a file",
    "cmd.resolutions": "Resolutions",
    "cmd.remind": "Remind organizations about reports",
    "cmd.invite_official": "Invite a department official",
    "cmd.grant": "Grant a role",
    "cmd.revoke": "Revoke a role",
    "role.admin": "an administrator",
    "role.official": "a department official",
    "role.member": "an organization representative",
    "kind.department": "Department (regional authority)",
    "kind.municipal": "Municipal education authority",
    "kind.institute": "Regional institute for education development",
    "kind.institution": "Institution of supplementary education",
    "kind.other": "Other",
    "start.stranger": (
        "Hello! This bot tracks how the resolution of the August teachers' forum is carried out.\n\n"
        "You are not registered yet. Ask the bot's administrator at the education department for an "
        "invitation link for your organization.\nYour Telegram ID: <code>{telegram_id}</code>"
    ),
    "start.admin": "Hello, {name}! You are an administrator. Commands: /help",
    "start.official": "Hello, {name}! You are a department official. Commands: /help",
    "start.member": "Hello, {name}! Recommendations for your organization: /report. Help: /help",
    "start.joined": (
        "Done! You are registered as a representative of «<b>{org}</b>».\n"
        "The resolution's recommendations addressed to your organization will arrive here. Report: /report"
    ),
    "start.official_joined": "Done! You are registered as a department official. Digest: /digest",
    "help.stranger": "The bot tracks a teachers' forum resolution.\nTo start, open the invitation link from the administrator.",
    "help.member": (
        "<b>What you can do</b>\n/report — recommendations for your organization and a report on each\n"
        "/my — your organization's summary\n/cancel — stop the current dialog"
    ),
    "help.official": (
        "<b>What you can do</b>\n/digest — progress digest (text, Excel, chart)\n"
        "/status — organizations' reports: resolution → group or municipality → organization\n"
        "/cancel — stop the current action"
    ),
    "help.admin": (
        "<b>Organizations</b>\n/orgs — list with filters and cards\n/add_org — add an organization\n"
        "/import_orgs — file format for bulk import (send a CSV or XLSX)\n\n"
        "<b>Resolutions</b>\n/resolutions — imported resolutions; to import one, send a TXT, MD or DOCX file\n"
        "/remind — remind organizations that have not reported\n\n"
        "<b>Digests</b>\n/digest, /status — as for department officials\n\n"
        "<b>Roles</b>\n/invite_official — invitation link for a department official\n"
        "/grant ID admin|official — grant a role\n/revoke ID — revoke a role\n/cancel — stop the current action"
    ),
    "cancelled": "Cancelled.",
    "cancelled_short": "Cancelled",
    "nothing_to_cancel": "There is nothing to cancel.",
    "refused.stranger": "/{command} is only for registered users. Ask the administrator for an invitation link.",
    "refused.stranger_text": "You are not registered yet. Ask the bot's administrator for an invitation link.",
    "refused.command": "/{command} is not available to you. Your commands: /help",
    "refused.button": "This button is out of date or not available to you.",
    "unknown_command": "No such command. Commands: /help",
    "not_understood": "The bot cannot make sense of this message. Commands: /help",
    "invite.created": (
        "Invitation for «<b>{org}</b>»:\n{link}\n\nThe link works once and until {expires}. "
        "Forward it to the head of the organization."
    ),
    "invite.official_created": "Invitation for a department official:\n{link}\n\nThe link works once and until {expires}.",
    "invite.unknown": "There is no such invitation. Check the link was copied whole, or ask the administrator for a new one.",
    "invite.used": "This invitation has already been used. Ask the administrator for a new link.",
    "invite.expired": "This invitation has expired. Ask the administrator for a new link.",
    "invite.revoked": "The administrator has revoked this invitation. Ask for a new link.",
    "invite.org_inactive": "The organization of this invitation is switched off. Contact the administrator.",
    "invite.already_privileged": (
        "You are already an administrator or a department official, so the invitation was not used — "
        "pass it on to the person it is meant for."
    ),
    "invite.cannot_invite_inactive": "«{name}» is switched off: switch it on first.",
    "invite.cannot_revoke": "The invitation has already been used or revoked.",
    "org.name_empty": "The name cannot be empty. Enter the organization's name.",
    "org.name_too_long": "The name is longer than {limit} characters. Please shorten it.",
    "org.municipality_too_long": "The municipality is longer than {limit} characters. Please shorten it.",
    "org.duplicate": "This organization already exists: «{name}». Nothing was added.",
    "org.not_found": "Organization not found.",
    "add_org.ask_name": "New organization. Enter its full name:",
    "add_org.ask_kind": "«<b>{name}</b>». Choose the kind of organization:",
    "add_org.ask_municipality": "Choose the municipality:",
    "add_org.type_municipality": "Enter the municipality's name:",
    "add_org.confirm": "Check the details:\n\n<b>{name}</b>\nKind: {kind}\nMunicipality: {municipality}\n\nSave?",
    "add_org.created": "✅ Organization added.",
    "add_org.use_buttons": "Please answer the question above — with a button or text — or press «Cancel».",
    "btn.cancel": "Cancel",
    "btn.save": "Save",
    "btn.no_municipality": "No municipality (regional level)",
    "btn.other_municipality": "Other — type the name",
    "orgs.title": "<b>Organizations</b> (found: {total})",
    "orgs.filters": "Kind: {kind}\nMunicipality: {municipality}",
    "orgs.any": "all",
    "orgs.empty": "\nNothing found. Add an organization: /add_org, or send a CSV/XLSX file.",
    "orgs.choose_kind": "Filter by kind:",
    "orgs.choose_muni": "Filter by municipality:",
    "btn.filter_kind": "Kind ▾",
    "btn.filter_muni": "Municipality ▾",
    "card.title": "<b>{name}</b>",
    "card.kind": "Kind: {kind}",
    "card.municipality": "Municipality: {municipality}",
    "card.no_municipality": "— (regional level)",
    "card.active": "Access to the bot: ✅ open",
    "card.inactive": "Access to the bot: ⛔ switched off",
    "card.members": ("{n} representative:", "{n} representatives:"),
    "card.member_line": "• {name}{handle}",
    "card.pending": ("{n} open invitation", "{n} open invitations"),
    "card.invite_line": "• invitation #{number}, valid until {expires}",
    "btn.revoke_invite": "Revoke invitation #{number}",
    "btn.new_invite": "➕ New invitation",
    "btn.deactivate": "⛔ Switch off",
    "btn.reactivate": "✅ Switch on",
    "btn.back_to_list": "« Back to the list",
    "roles.grant_usage": "Usage: <code>/grant ID admin</code> or <code>/grant ID official</code>",
    "roles.revoke_usage": "Usage: <code>/revoke ID</code>",
    "roles.granted": "{name} is now {role}.",
    "roles.revoked": "{name} no longer has a role.",
    "roles.not_grantable": "This role cannot be granted by command.",
    "roles.unknown_person": (
        "User {telegram_id} is not in the bot yet. Ask the owner of this ID to send /start to the bot, "
        "then repeat the command."
    ),
    "roles.env_admin": (
        "ID {telegram_id} is on the administrators list in the settings (ADMIN_IDS); only the settings "
        "can change that."
    ),
    "roles.nothing_to_revoke": "User {telegram_id} is neither an administrator nor a department official.",
    "files.unsupported": (
        "«{name}» does not fit. Send a table of organizations (CSV or XLSX) or a resolution (TXT, MD or DOCX)."
    ),
    "import.help": (
        "<b>Bulk import of organizations</b>\n"
        "Send a CSV (UTF-8 or Windows-1251, «;» or «,» separated) or an XLSX (first sheet). "
        "The first row holds the headers:\n"
        "• <code>name</code> (or <code>название</code>) — required;\n"
        "• <code>kind</code> (or <code>вид</code>) — required: department, municipal, institute, "
        "institution, other;\n"
        "• <code>municipality</code> (or <code>муниципалитет</code>) — may be empty.\n\n"
        "Repeats (same name in the same municipality) are skipped, rows with errors are rejected — "
        "the bot lists them with the reason. All other organizations are added together."
    ),
    "import.empty_file": "The file is empty.",
    "import.file_too_big": "The file is larger than {limit_mb} MB. Split it.",
    "import.unsupported_format": "A CSV or XLSX file is needed.",
    "import.no_header": "The file has no header row.",
    "import.too_many_rows": "The file has more than {limit} rows. Split it.",
    "import.bad_encoding": "Cannot read the file's text: save it as UTF-8 or Windows-1251.",
    "import.bad_xlsx": "The XLSX file is damaged or not an Excel table.",
    "import.missing_columns": "Required columns are missing: {columns}. File format: /import_orgs",
    "import.no_name": "(no name)",
    "import.row_no_name": "no name",
    "import.row_name_too_long": "name longer than {limit} characters",
    "import.row_municipality_too_long": "municipality longer than {limit} characters",
    "import.row_bad_kind": "unknown kind of organization «{value}»",
    "import.row_exists": "this organization already exists",
    "import.row_repeated": "repeats row {first}",
    "import.summary": "<b>Organizations import</b>\nAdded: {added}\nSkipped (repeats): {duplicates}\nRejected: {rejected}",
    "import.added_header": "<b>Added:</b>",
    "import.duplicates_header": "<b>Skipped as repeats:</b>",
    "import.rejected_header": "<b>Rejected:</b>",
    "import.row": "row {row}: {name}{reason}",
    "import.dry_run": "Dry run: nothing was saved.",
    "kind_short.department": "Department",
    "kind_short.municipal": "Municipal",
    "kind_short.institute": "Institute",
    "kind_short.institution": "Institutions",
    "kind_short.other": "Other",
    "res.title": "📜 <b>{title}</b>",
    "res.details": "{details}",
    "res.status.draft": "Status: draft (not published)",
    "res.status.published": "Status: ✅ published",
    "res.status.withdrawn": "Status: withdrawn",
    "res.status_short.draft": "Draft",
    "res.status_short.published": "Published",
    "res.status_short.withdrawn": "Withdrawn",
    "res.deadline": "Deadline: {date}",
    "res.groups_total": (
        "{n} addressee group, recommendations: {recs}",
        "{n} addressee groups, recommendations: {recs}",
    ),
    "res.group_line": "<b>{number}. {heading}</b>",
    "res.group_meta": "To: {kind} · recommendations: {count}",
    "res.rec_sample": "  {number} {text}",
    "res.preview_hint": (
        "Check whom each group is addressed to: the buttons below change the kind of addressee. "
        "Then set a deadline if needed and publish."
    ),
    "res.choose_group_kind": "Group {number}: {heading}. Which kind of organization is it addressed to?",
    "res.ask_deadline": (
        "Enter the whole resolution's deadline as DD.MM.YYYY (e.g. 31.05.2027) or one recommendation's: "
        "its number and the date (e.g. <code>2.3 31.05.2027</code>)."
    ),
    "res.rec_deadlines": "Deadlines of single recommendations: {items}",
    "res.no_such_recommendation": "The resolution has no recommendation {number}.",
    "res.discarded": "The draft resolution was deleted.",
    "res.publish_confirm": (
        "📜 <b>{title}</b>\n\n"
        "Publish the resolution?\n"
        "Recipients: {recipients}, messages: {messages}.\n"
        "Organizations with no registered representatives: {unstaffed}. "
        "They will get the recommendations when their representatives register with an invitation."
    ),
    "res.published_no_recipients": (
        "The resolution is published. There are no registered recipients yet: organizations' representatives "
        "will get the recommendations as soon as they join."
    ),
    "res.list_title": "<b>Resolutions</b> — choose one to open. Send a TXT, MD or DOCX file to import a new one.",
    "res.list_empty": "No resolutions yet. Send a resolution file (TXT, MD or DOCX).",
    "res.not_found": "Resolution not found.",
    "res.not_draft": "The resolution is already published or withdrawn and cannot be changed.",
    "res.not_published": "The resolution is not published.",
    "res.empty": "The resolution has no recommendations.",
    "res.bad_date": "The date is not recognised. Enter it as DD.MM.YYYY, e.g. 31.05.2027.",
    "res.deadline_past": "The deadline must be in the future: give a date after today.",
    "res.too_big": "The resolution file is larger than {limit_mb} MB.",
    "res.parse_failed": "Could not read the resolution: {reason}",
    "btn.group_kind": "Group {number}: {kind} ✎",
    "btn.deadline": "📅 Deadline",
    "btn.no_deadline": "No deadline",
    "btn.publish": "📤 Publish",
    "btn.confirm_publish": "✅ Yes, publish",
    "btn.discard": "🗑 Delete draft",
    "btn.withdraw": "Withdraw",
    "btn.back": "« Back",
    "delivery.resolution": "{title}",
    "delivery.resolution_dated": "{title}, {date}",
    "delivery.intro": "📜 {resolution}\nAddressee: <b>{org}</b>",
    "delivery.intro_count": (
        "{n} recommendation is addressed to your organization:",
        "{n} recommendations are addressed to your organization:",
    ),
    "delivery.intro_group": "• {heading}",
    "delivery.deadline": "Deadline: {date}",
    "delivery.intro_howto": "Each recommendation comes as a separate message with a «Report» button.",
    "delivery.rec_title": "<b>Recommendation {number}</b>",
    "delivery.rec_body": "{text}",
    "delivery.rec_source": "<i>{resolution}</i>",
    "btn.report": "📝 Report",
    "delivery.progress": (
        "📤 Delivering: {sent} of {total} sent\n"
        "📜 {title}\n"
        "Queued: {queued} · unreachable recipients: {unreachable} · errors: {failed}"
    ),
    "delivery.progress_done": (
        "✅ Delivery finished: {sent} of {total} delivered\n"
        "📜 {title}\n"
        "Unreachable recipients: {unreachable} · errors: {failed}"
    ),
    "delivery.unreachable_header": "<b>Not delivered:</b>",
    "delivery.unreachable_line": "• {name} — {org} ({reason})",
    "delivery.reason_blocked": "the bot is blocked or the account is unavailable",
    "delivery.reason_failed": "sending error",
    # --- reports ---
    "status.none": "No report",
    "status.not_started": "Not started",
    "status.in_progress": "In progress",
    "status.done": "Done",
    "status.not_applicable": "Not applicable",
    "report.rec_heading": "<b>Recommendation {number}</b>\n{text}",
    "report.current": "Current status: {status}",
    "report.current_comment": "Comment: {comment}",
    "report.pick_status": "Choose the status:",
    "report.ask_reason": "Why does the recommendation not apply to your organization? Write the reason in one message.",
    "report.ask_comment": "Write a comment: what has been done, what is planned (one message, up to 2000 characters).",
    "report.ask_evidence": (
        "Attach evidence: documents, photos (albums too), links or text — one or several messages. Each is "
        "acknowledged. Press «Done» when finished."
    ),
    "report.evidence_added": "📎 Received: {item}",
    "report.evidence_total": ("{n} piece of evidence in all.", "{n} pieces of evidence in all."),
    "report.too_much_evidence": "At most {limit} pieces of evidence per report.",
    "report.file_too_big": (
        "The file is larger than 20 MB — the bot cannot receive it. Send a link to it in cloud storage or a "
        "smaller file. You can go on."
    ),
    "report.file_repeated": "This file has already been added.",
    "report.empty_evidence_done": "Nothing is attached yet. Send a file, photo or link — or press «No evidence».",
    "report.unsupported": (
        "Such messages (stickers, voice, locations and the like) cannot be attached to a report. Send a "
        "document, photo, link or text."
    ),
    "report.use_status_buttons": "Choose the status with a button under the message above.",
    "report.text_expected": "Text is needed — write it in one message.",
    "report.use_confirm_buttons": "Check the report and press «Send», «Change» or «Cancel».",
    "report.confirm_title": "<b>Check the report</b>",
    "report.confirm_status": "Status: {status}",
    "report.confirm_reason": "Reason: {reason}",
    "report.confirm_comment": "Comment: {comment}",
    "report.confirm_evidence": ("{n} piece of evidence:", "{n} pieces of evidence:"),
    "report.confirm_no_evidence": "No evidence.",
    "report.confirm_previous": "This changes the report (now version {version}); earlier versions stay in the history.",
    "report.saved": "✅ Report received (version {version}). You can change it any time: /report",
    "report.saved_short": "Report received",
    "report.edit_hint": "Change the report: the comment and evidence are kept and can be added to.",
    "report.cancelled": "The report was not sent. Back to it: /report",
    "report.members_only": "Only organizations' representatives can report.",
    "report.org_inactive": "Your organization has been switched off by the administrator.",
    "report.not_yours": "This recommendation is not addressed to your organization.",
    "report.withdrawn": "The resolution was withdrawn: reports on it are no longer accepted.",
    "report.no_status": "Choose the status first.",
    "report.reason_empty": "Give the reason why the recommendation does not apply.",
    "report.reason_too_long": "The reason is too long ({length} characters, {limit} allowed). Please shorten it.",
    "report.comment_empty": "The comment is empty. Write what has been done.",
    "report.comment_too_long": (
        "The comment is too long ({length} characters, {limit} allowed). Shorten it or attach details as a file "
        "at the next step."
    ),
    "report.empty_evidence": "An empty message cannot be evidence.",
    "report.text_too_long": "The text is too long ({length} characters, {limit} allowed). Attach it as a file.",
    "report.nothing_changed": "Nothing has changed in the report — nothing to save.",
    "report.list_empty": "No recommendations have been published for «{org}» yet.",
    "report.list_title": "<b>Recommendations for «{org}»</b> (page {page} of {pages})",
    "report.list_resolution": "📜 <i>{title}</i>",
    "report.list_line": "{icon} {number} {text}",
    "report.list_legend": "Press a recommendation to report or change the report.\n✅ done · 🔄 in progress · ⬜ not started · ➖ not applicable · ❔ no report",
    "my.title": "<b>{org}</b>",
    "my.progress": "{percent}% of applicable recommendations done: {done} of {applicable}.",
    "my.line": "{label}: {count}",
    "my.with_deadline": "Recommendations with a deadline not yet done: {count}.",
    "my.hint": "Report: /report",
    "evidence.document": "document «{name}»",
    "evidence.photo": "photo",
    "evidence.link": "link {url}",
    "evidence.text": "text «{text}»",
    "btn.keep_comment": "Keep the previous comment",
    "btn.evidence_done": "Done ({count})",
    "btn.no_evidence": "No evidence",
    "btn.submit": "✅ Send",
    "btn.edit": "✏️ Change",
    # --- reminders ---
    "remind.deadline": (
        "⏰ <b>Deadline reminder</b>\n"
        "📜 {resolution}\n"
        "Deadline: {date} (days left: {days}).\n"
        "No report yet from «{org}» on:"
    ),
    "remind.nudge": (
        "👋 <b>Reminder</b>\n"
        "📜 {resolution}\n"
        "No new reports from «{org}» for a while (days: {days}). No report yet on:"
    ),
    "remind.manual": (
        "📣 <b>Reminder from the administrator</b>\n📜 {resolution}\nNo report yet from «{org}» on:"
    ),
    "remind.line": "• {number} {text}",
    "remind.more": "…and {count} more",
    "remind.hint": "Press a recommendation's number to report, or open /report.",
    "remind.choose": (
        "Whom to remind? Choose a resolution: "
        "organizations without a report on at least one recommendation get a reminder."
    ),
    "remind.none_published": "No published resolutions — nothing to remind about.",
    "remind.confirm": (
        "📜 {title}\n"
        "Remind about reports? Organizations without a report on at least one recommendation: {orgs}."
    ),
    "remind.nobody": "📜 {title}\nEvery organization has reported on every recommendation; nobody to remind.",
    "remind.sent": "📣 Reminders queued. Organizations: {orgs}, messages: {messages}.",
    "btn.remind_confirm": "📣 Remind",
    # --- status ---
    "status.no_resolutions": "No published resolutions yet.",
    "status.choose_resolution": "<b>Progress</b> — choose a resolution:",
    "status.overall": (
        "Items done: {done} of {total} ({percent}%). Reports: {answered}.\n"
        "Organizations: {orgs}, without a single report: {silent}."
    ),
    "status.by_group": "<b>By addressee group:</b>",
    "status.group_line": "{number}. {heading} ({kind})",
    "status.by_municipality": "<b>By municipality:</b>",
    "status.muni_line": "• {name}: {done}/{total} ({percent}%)",
    "status.group_title": "<b>Group {number}.</b> {heading}",
    "status.muni_title": "<b>{name}</b>",
    "status.orgs_hint": "Organizations (items done/total), page {page} of {pages}. 🔇 — no report at all.",
    "status.report_status": "Status: {status}",
    "status.report_version": "Version {version}, updated {when}",
    "status.history_title": "<b>Report history</b> «{name}», recommendation {number}",
    "status.history_earlier": "(earlier versions: {count})",
    "status.history_line": "<b>v{version}</b> {when} — {who}: {status}",
    "status.change_status": "  status: {old} → {new}",
    "status.change_comment": "  comment: {comment}",
    "status.change_evidence": "  evidence added: {count}",
    "status.file_lost": "The file «{name}» is not available.",
    "btn.by_municipality": "🏙 By municipality",
    "btn.history": "🕘 History",
    "btn.get_files": "📎 Get the evidence",
    # --- digest delivery ---
    "digest.menu": "<b>Progress digest</b>: text, an Excel file and a chart. What should it cover?",
    "digest.nothing_published": "No published resolutions yet — nothing to digest.",
    "digest.choose_municipality": "Choose the municipality:",
    "digest.preparing": "⏳ The digest is being prepared and comes in the next messages.",
    "digest.xlsx_caption": (
        "📊 Digest: summary, organizations × recommendations table, municipalities, evidence"
    ),
    "digest.chart_caption": "Progress by addressee group and municipality",
    "btn.digest_all": "📊 All resolutions",
    "btn.digest_municipality": "🏙 One municipality…",
    # --- digest ---
    "digest.title": "📊 <b>Resolution progress digest, {date}</b>",
    "digest.resolution": "📜 {title}",
    "digest.only_municipality": "Municipality: <b>{name}</b>",
    "digest.overall": "<b>{percent}% done</b> of applicable items: {done} of {applicable}.",
    "digest.overall_detail": (
        "In progress: {in_progress} · not started: {not_started} · not applicable: "
        "{not_applicable} · no report: {no_answer}\n"
        "Organizations: {orgs}, without a single report: {silent}"
    ),
    "digest.changes": (
        "Since the last digest: done {done}, "
        "reports {answered}; organizations reporting for the first time: {orgs}."
    ),
    "digest.tally": "{percent}% ({done}/{applicable}), in progress {in_progress}, no report {no_answer}",
    "digest.by_group": "<b>By addressee group</b>",
    "digest.group_line": "{number}. {heading}: {tally}",
    "digest.by_municipality": "<b>By municipality</b>",
    "digest.muni_line": "• {name}: {tally}",
    "digest.and_more": "…and {count} more",
    "digest.least_progress": "<b>Recommendations with the least progress</b>",
    "digest.rec_line": "• {number} {text} — {tally}",
    "digest.silent": "<b>Organizations without a single report ({count}):</b>",
    "digest.overdue": "<b>Organizations with overdue recommendations ({count}):</b>",
    "digest.org_line": "• {name} ({municipality})",
    "digest.files_hint": "Details are in the Excel file and the chart below. Organizations' reports: /status",
    # --- services ---
    "btn.remind_report": "📝 {number}",
    "digest.file_name": "digest-{day}.xlsx",
    "doc.sheet_summary": "Summary",
    "doc.sheet_matrix": "Matrix",
    "doc.sheet_municipalities": "Municipalities",
    "doc.sheet_evidence": "Evidence",
    "doc.summary_title": "Digest as of {date}",
    "doc.summary_municipality": "Municipality: {name}",
    "doc.summary_organizations": "Organizations: {count}",
    "doc.summary_silent": "Organizations without a single report: {count}",
    "doc.summary_overdue": "Past the deadline: {count}",
    "doc.col.group": "Addressee group",
    "doc.col.recommendation": "Recommendation",
    "doc.col.total": "Total",
    "doc.col.percent_done": "% done",
    "doc.col.organization": "Organization",
    "doc.col.municipality": "Municipality",
    "doc.col.organizations": "Organizations",
    "doc.col.silent": "No report at all",
    "doc.col.kind": "Kind",
    "doc.col.content": "File, link or text",
    "doc.col.size": "Size, bytes",
    "doc.col.added": "Added (UTC)",
    "doc.no_answer": "No report",
    "doc.kind.document": "Document",
    "doc.kind.photo": "Photo",
    "doc.kind.link": "Link",
    "doc.kind.text": "Text",
    "doc.chart_title": "Progress of the resolution as of {date}",
    "doc.chart_by_group": "By addressee group",
    "doc.chart_by_municipality": "By municipality",
    "doc.chart_axis": "Share of organization–recommendation items, %",
    "digest.no_cells": (
        "There are no items in this selection: no recommendation is addressed to these organizations."
    ),
    "digest.changes_percent": "The share of items done changed by {points} percentage points.",
    "digest.overdue_line": "• {name} ({municipality}) — overdue recommendations: {count}",
    # --- texts ---
    # «To: …» in a resolution's preview; Russian needs the dative here, English only the article.
    "kind_dative.department": "the department",
    "kind_dative.municipal": "municipal education authorities",
    "kind_dative.institute": "the regional institute for education development",
    "kind_dative.institution": "institutions of supplementary education",
    "kind_dative.other": "other organizations",
    # The remind.* messages with the count in the right form: call them with .n().
    "remind.deadline_n": (
        "⏰ <b>Deadline reminder</b>\n📜 {resolution}\nDeadline: {date}, {n} day left.\n"
        "No report yet from «{org}» on:",
        "⏰ <b>Deadline reminder</b>\n📜 {resolution}\nDeadline: {date}, {n} days left.\n"
        "No report yet from «{org}» on:",
    ),
    "remind.nudge_n": (
        "👋 <b>Reminder</b>\n📜 {resolution}\nNo new reports from «{org}» for {n} day. No report yet on:",
        "👋 <b>Reminder</b>\n📜 {resolution}\nNo new reports from «{org}» for {n} days. No report yet on:",
    ),
    "remind.confirm_n": (
        "📜 {title}\n{n} organization has no report on at least one recommendation. Remind about reports?",
        "📜 {title}\n{n} organizations have no report on at least one recommendation. Remind about reports?",
    ),
    "remind.sent_n": (
        "📣 Reminders queued for {n} organization (messages: {messages}).",
        "📣 Reminders queued for {n} organizations (messages: {messages}).",
    ),
    "status.history_earlier_n": ("(and {n} earlier version)", "(and {n} earlier versions)"),
    # --- hardening ---
    "import.not_a_table": (
        "This is a {kind} file, not a table. Send the organization list as CSV or XLSX "
        "(how to prepare it: /import_orgs)."
    ),
    "import.not_text": (
        "The file is neither an Excel table nor CSV text. Save the organization list "
        "as CSV or XLSX (how to prepare it: /import_orgs)."
    ),
    "import.bad_csv": "Cannot read the CSV from row {row} on: check the quotes in that row.",
    "import.header_not_found": (
        "No header row found: the first {rows} rows have no columns {columns}. "
        "How to prepare the file: /import_orgs"
    ),
    "import.row_empty_cell": "the «{column}» column is empty",
    "import.row_name_not_text": "the «{column}» column holds «{value}», which is not an organization's name",
    "import.row_too_long": "the «{column}» column is longer than {limit} characters",
    "import.row_unknown_kind": "the «{column}» column says «{value}»; expected one of: {choices}",
    "cli.file_missing": "File {path} not found.",
    "cli.file_denied": "No permission to read {path}.",
    "cli.file_is_folder": "{path} is a folder, not a file.",
    "cli.file_unreadable": "Cannot read {path} (error code {code}).",
    "cli.folder_unusable": "Cannot write files to {path}: {reason}. Give another folder with --output.",
    "cli.folder_is_file": "a file is already there",
    "cli.folder_denied": "no write permission",
    "cli.folder_failed": "write error (code {code})",
    "cli.migrated": "Database updated; migrations applied: {revisions}.",
    "cli.migrate_nothing": "No new migrations: the database is up to date (revision {revision}).",
    "cli.migrate_failed": "Cannot update the database at DATABASE_URL: {reason}",
    "startup.redis_unreachable": (
        "Redis at REDIS_URL does not answer ({reason}). Start Redis, or remove REDIS_URL "
        "if the bot runs as one process."
    ),
    "startup.redis_bad_url": "REDIS_URL is not a Redis address ({reason}); e.g. redis://localhost:6379/0",
    "startup.dir_not_writable": (
        "The bot cannot write to {path} ({setting}): {reason}. Create it and let the bot's user write "
        "there, or point {setting} to another folder."
    ),
    "cli.database_failed": "Cannot open the database at DATABASE_URL: {reason}",
    # --- dashboard ---
    "web.title": "Resolution progress",
    "web.tab_overview": "Overview",
    "web.tab_matrix": "Matrix",
    "web.loading": "Loading…",
    "web.network_error": "The server cannot be reached. Check the connection and reload the page.",
    "web.auth_missing": "Open the dashboard from Telegram: the menu button in the bot's chat or the button under a digest.",
    "web.auth_invalid": "Telegram did not confirm the sign-in data. Close the dashboard and open it again from the bot's chat.",
    "web.auth_stale": "The sign-in data has expired. Close the dashboard and open it again from the bot's chat.",
    "web.forbidden": "The dashboard is for department officials and municipal education authorities. You have no access to it.",
    "web.out_of_scope": "This belongs to another municipality and is not available to you.",
    "web.not_found": "Nothing found: the record was deleted or the resolution withdrawn.",
    "web.bad_filter": "The request was not understood. Reset the filters and try again.",
    "web.scope_region": "Whole region",
    "web.scope_municipality": "Municipality: {name}",
    "web.no_data": "No resolution has been published yet.",
    "web.resolution_all": "All published resolutions",
    "web.overall": "Overall progress",
    "web.done_of": "{done} of {applicable} applicable items done",
    "web.answered_of": "Items with a report: {answered} of {total}",
    "web.by_group": "By addressee group",
    "web.municipalities": "Municipalities, best first",
    "web.light_legend": "Green: at least {green}% done, yellow: at least {yellow}%, red: less.",
    "web.review": "Report review",
    "web.review.pending": "Under review",
    "web.review.accepted": "Accepted",
    "web.review.returned": "Returned for rework",
    "web.status.not_started": "Not started",
    "web.status.in_progress": "In progress",
    "web.status.done": "Done",
    "web.status.not_applicable": "Not applicable",
    "web.status.no_answer": "No report",
    "web.status.-": "Not addressed",
    "web.overdue": "Overdue",
    "web.overdue_summary": "Overdue items: {cells}. Organizations with overdue items: {orgs}.",
    "web.no_overdue": "Nothing is overdue.",
    "web.filter_all": "All",
    "web.filter_group": "Addressee group",
    "web.filter_municipality": "Municipality",
    "web.filter_status": "Status",
    "web.filter_review": "Review",
    "web.search": "Search by organization name",
    "web.found": "Organizations found: {n}",
    "web.nothing_found": "Nothing found. Change the filters or the search.",
    "web.page_of": "Page {page} of {pages}",
    "web.prev": "← Previous",
    "web.next": "Next →",
    "web.back": "← Back",
    "web.organization": "Organization",
    "web.recommendation": "Recommendation {number}",
    "web.deadline": "Deadline: {date}",
    "web.updated": "Updated: {date}",
    "web.comment": "Comment",
    "web.reason": "Why not applicable",
    "web.review_comment": "Reviewer's note",
    "web.evidence": "Evidence",
    "web.download": "Download",
    "web.history": "History",
    "web.event.submitted": "Report submitted",
    "web.event.accepted": "Report accepted",
    "web.event.returned": "Report returned for rework",
    "web.event.reopened": "Report reopened",
    "web.no_report": "The organization has not reported on this recommendation yet.",
    "web.answers": "Organizations' reports",
    "web.menu_button": "Dashboard",
    "web.digest_button": "Open the dashboard",
}
