"""CarryStatePipeline: what the content directory knows of a post goes into its new text."""

from __future__ import annotations

from jobscrape.items import JobPosting
from jobscrape.pipelines import PostingPipeline
from jobscrape.writer.state import has_passed


class CarryStatePipeline(PostingPipeline):
    """Guarantees a posting renders to the post the last run left when nothing changed: the
    URLs of the same job on other boards (``sources``), and ``expiryDate`` while the job's own
    expiry date lies in the past. A job listed again with no past expiry loses its
    ``expiryDate``: it came back."""

    def process_item(self, item: JobPosting) -> JobPosting:
        run = self.run
        record = run.index.get(item.slug) if run is not None else None
        if run is None or record is None:
            return item
        item.sources = record.other_sources
        if record.expired_at and item.expires and has_passed(item.expires, run.now):
            item.expiry_date = record.expired_at
        return item
