"""The dashboard's pages as figures: each builder reads the store and returns a `Page` of plain values.

One module a page. Builders take the systems the viewer may see (already checked) and a `Period` of whole
weeks ending at its end; the web adapter lays the result out. Counts of people below the minimum group
size are withheld here, as in chat (`bot.outcomes.service`), so nothing a page or CSV shows can single
anyone out. Imported by `bot.dashboard.pages` (which picks a builder by page name) and the web adapter
(for `Period`).
"""

from bot.dashboard.figures.adoption import funnel
from bot.dashboard.figures.announcements import announcements_page
from bot.dashboard.figures.escalations import escalations
from bot.dashboard.figures.friction import friction
from bot.dashboard.figures.friction_report import ReportView, friction_report
from bot.dashboard.figures.my_data import my_data
from bot.dashboard.figures.overview import overview
from bot.dashboard.figures.period import Period
from bot.dashboard.figures.readiness import readiness_page

__all__ = [
    "Period",
    "ReportView",
    "announcements_page",
    "escalations",
    "friction",
    "friction_report",
    "funnel",
    "my_data",
    "overview",
    "readiness_page",
]
