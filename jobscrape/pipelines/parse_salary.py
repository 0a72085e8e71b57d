"""ParseSalaryPipeline: a salary given as text also gets numbers."""

from __future__ import annotations

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.salary import parse_salary, salary_period


class ParseSalaryPipeline(PostingPipeline):
    """Guarantees ``salary_min``/``salary_max``/``salary_currency``/``salary_period`` are filled
    from ``salary_raw`` when the board gave text but no numbers, and the period is one of
    ``hour``/``day``/``week``/``month``/``year``; ``salary_raw`` is kept as it was."""

    in_worker = True

    def process_item(self, item: JobPosting) -> JobPosting:
        if item.salary_min is None and item.salary_max is None and item.salary_raw:
            parsed = parse_salary(item.salary_raw)
            item.salary_min, item.salary_max = parsed.min, parsed.max
            item.salary_currency = item.salary_currency or parsed.currency
            item.salary_period = item.salary_period or parsed.period
        item.salary_period = salary_period(item.salary_period)
        return item
