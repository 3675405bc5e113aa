"""Edge: an image's referrers (signatures, attestations, SBOMs) go where the image goes.

A referrer is a manifest whose ``subject`` is the image (OCI image spec, "Image Manifest",
``subject``), or one cosign tags ``sha256-<hex>.sig`` / ``.att`` / ``.sbom``.
:func:`find_referrers` walks them on the source from the index and each of its platform
manifests, recursively (the signature of an SBOM is one too): through the referrers API where
the registry answers it, else through the referrers tag (distribution spec, "Listing
Referrers", "Unavailable Referrers API", "Referrers Tag Schema"), plus cosign's tags.
:func:`copy_referrers` puts each one in a target repository by digest, its blobs moved by
transfer.py as the image's are (mounted, or streamed only when the target lacks them), then
keeps the target's referrers tag where the target did not index the ``subject`` itself
(no ``OCI-Subject`` answer: "Pushing Manifests with Subject"), and copies cosign's tags as tags.

What is decided here is pure and lives in oci.py (the tag names, the entry of a referrers
list, the merged index). A referrer that cannot be read or copied (the target refuses its
media type, even with a 5xx as distribution does for content it will not take; the source lost
it) is a warning in the report, never a failure: the image itself was promoted. A source that
stops answering (:class:`Unreachable`) while its referrers are looked up still ends the run,
which is safe to repeat: a release that reported success would not be re-run to bring its
signatures along. Must not: drop an entry of a referrers tag, or move a cosign tag that holds
something else on the target (that would remove someone's signature).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from versionbot.core.errors import RegistryError
from versionbot.registry.client import RegistryClient, Unreachable
from versionbot.registry.manifests import (
    digest_of,
    get_manifest,
    listed_referrers,
    manifest_exists,
    put_manifest,
    referrers_api,
)
from versionbot.registry.oci import (
    OCI_INDEX,
    Descriptor,
    ImageRef,
    Manifest,
    cosign_tags,
    merged_referrers,
    referrers_tag,
)
from versionbot.registry.transfer import ImageCopy


@dataclass(frozen=True, slots=True)
class Referrer:
    """A manifest found on the source that refers to the image (or to another referrer)."""

    manifest: Manifest
    tags: tuple[str, ...] = ()  # cosign's tags it is known by

    @property
    def kind(self) -> str:
        """Its artifact type (or media type): what a report calls it."""
        return self.manifest.artifact_type or self.manifest.media_type


@dataclass(frozen=True, slots=True)
class FoundReferrers:
    """Every referrer of an image on its source, subjects before their referrers, and what
    could not be read there."""

    referrers: tuple[Referrer, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CopiedReferrer:
    """A referrer as it now is in a target repository."""

    digest: str
    kind: str
    tags: tuple[str, ...]
    pushed: bool  # False: the target had it already


@dataclass(frozen=True, slots=True)
class ReferrerReport:
    """What one target repository got of the image's referrers."""

    target: str  # host/repository
    referrers: tuple[CopiedReferrer, ...]
    referrers_tags: tuple[str, ...]  # fallback referrers indexes written
    warnings: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        """The log lines: one summary (how many, of which kind or tag), then each warning."""
        lines: list[str] = []
        if self.referrers:
            kinds = Counter(r.kind for r in self.referrers if not r.tags)
            named = [f"{count} {kind}" for kind, count in sorted(kinds.items())]
            named += [f"tag {_short(tag)}" for r in self.referrers for tag in r.tags]
            pushed = sum(r.pushed for r in self.referrers)
            line = (
                f"referrers in {self.target}: {len(self.referrers)} ({', '.join(named)}); "
                f"{pushed} copied, {len(self.referrers) - pushed} already there"
            )
            if self.referrers_tags:
                tags = ", ".join(_short(t) for t in self.referrers_tags)
                line += f"; referrers tag {tags} updated"
            lines.append(line)
        lines += [f"warning: {warning}" for warning in self.warnings]
        return tuple(lines)


def _short(tag: str) -> str:
    """``sha256-<64 hex>.sig`` -> ``sha256-<12 hex>….sig``: a log line stays readable."""
    name, dot, suffix = tag.partition(".")
    return f"{name[:19]}…{dot}{suffix}" if len(name) > 19 else tag


def find_referrers(client: RegistryClient, source: ImageRef, manifest: Manifest) -> FoundReferrers:
    """Every referrer of ``manifest`` (an index and each of its platform manifests) in
    ``source``'s repository, recursively, each once, in the order found."""
    walk = _Walk(client, source, [manifest.digest, *(c.digest for c in manifest.children())])
    while walk.queue:
        subject = walk.queue.popleft()
        for entry in walk.listed(subject):
            if entry.digest not in walk.seen:
                ref = ImageRef(source.registry, source.repository, digest=entry.digest)
                walk.add(walk.read(ref, listed=True), None)
        for tag in cosign_tags(subject):
            ref = ImageRef(source.registry, source.repository, tag)
            walk.add(walk.read(ref, listed=False), tag)
    return FoundReferrers(tuple(walk.found.values()), tuple(walk.warnings))


class _Walk:
    """The state of :func:`find_referrers`: what was seen, found, and is still to look at."""

    def __init__(self, client: RegistryClient, source: ImageRef, subjects: list[str]) -> None:
        self.client, self.source = client, source
        self.seen = set(subjects)
        self.queue = deque(subjects)
        self.found: dict[str, Referrer] = {}
        self.warnings: list[str] = []

    def listed(self, subject: str) -> tuple[Descriptor, ...]:
        """The referrers list of ``subject`` (API or referrers tag); none, with a warning,
        when the registry refuses it."""
        source = self.source
        try:
            return listed_referrers(self.client, source.registry, source.repository, subject)
        except Unreachable:
            raise
        except RegistryError as exc:
            self.warnings.append(f"the referrers of {subject} are not copied: {exc.message}")
            return ()

    def read(self, reference: ImageRef, *, listed: bool) -> Manifest | None:
        """The manifest ``reference`` names; None (a warning if a list named it) when it
        cannot be read."""
        try:
            manifest = get_manifest(self.client, reference)
        except Unreachable:
            raise
        except RegistryError as exc:
            self.warnings.append(f"referrer {reference} is not copied: {exc.message}")
            return None
        if manifest is None and listed:
            self.warnings.append(f"referrer {reference} is listed but is not there")
        return manifest

    def add(self, referrer: Manifest | None, tag: str | None) -> None:
        """Keep ``referrer`` (known by cosign's ``tag``) and look for its own referrers."""
        if referrer is None:
            return
        known = self.found.get(referrer.digest, Referrer(referrer))
        self.found[referrer.digest] = Referrer(referrer, (*known.tags, *([tag] if tag else [])))
        if referrer.digest not in self.seen:
            self.seen.add(referrer.digest)
            self.queue.append(referrer.digest)


def copy_referrers(
    client: RegistryClient,
    source: ImageRef,
    found: FoundReferrers,
    registry: str,
    repository: str,
) -> ReferrerReport:
    """Put every referrer of ``found`` into ``registry``/``repository`` (by digest, cosign's
    under their tags too) and keep the referrers tag of each subject the target did not index
    itself; what could not be done is a warning of the report."""
    copier = _Copier(client, source, registry, repository, list(found.warnings))
    copied = [c for c in (copier.copy(r) for r in found.referrers) if c is not None]
    written = copier.referrers_tags()
    return ReferrerReport(copier.target, tuple(copied), written, tuple(copier.warnings))


class _Copier:
    """The state of :func:`copy_referrers` in one target repository."""

    def __init__(
        self,
        client: RegistryClient,
        source: ImageRef,
        registry: str,
        repository: str,
        warnings: list[str],
    ) -> None:
        self.client, self.registry, self.repository = client, registry, repository
        self.target = f"{registry}/{repository}"
        self.image_copy = ImageCopy(client, source, registry, repository)
        self.warnings = warnings
        self.by_subject: dict[str, list[Manifest]] = {}
        self.indexed: set[str] = set()  # subjects the target indexed (it answered OCI-Subject)
        self.pushed: set[str] = set()  # subjects with a referrer pushed now

    def copy(self, referrer: Referrer) -> CopiedReferrer | None:
        """Put one referrer by digest (its content first) and under its cosign tags; None, and
        a warning, when the target refuses it."""
        manifest, client = referrer.manifest, self.client
        registry, repository = self.registry, self.repository
        try:
            subject = None if manifest.subject is None else manifest.subject.digest
            pushed = not manifest_exists(client, registry, repository, manifest.digest)
            if pushed:
                self.image_copy.copy(manifest)
                at = ImageRef(registry, repository, digest=manifest.digest)
                answered = put_manifest(client, at, manifest)
                if subject is not None:
                    self.pushed.add(subject)
                    if answered:
                        self.indexed.add(subject)
            tags = tuple(t for t in referrer.tags if self._tag(t, manifest))
        except RegistryError as exc:  # Unreachable too: some registries refuse with a 500
            self.warnings.append(
                f"referrer {manifest.digest} ({referrer.kind}) is not copied to {self.target}: "
                f"{exc.message}"
            )
            return None
        self.warnings += [
            f"{self.target}:{tag} holds another manifest; it is left as it is, not moved to "
            f"{manifest.digest}"
            for tag in referrer.tags
            if tag not in tags
        ]
        if subject is not None:
            self.by_subject.setdefault(subject, []).append(manifest)
        return CopiedReferrer(manifest.digest, referrer.kind, tags, pushed)

    def _tag(self, tag: str, manifest: Manifest) -> bool:
        """Put ``manifest`` under cosign's ``tag`` unless the tag holds it; False (and nothing
        done) when the tag holds another manifest on the target."""
        at = ImageRef(self.registry, self.repository, tag)
        held = digest_of(self.client, at)
        if held is None:
            put_manifest(self.client, at, manifest)
        return held in {None, manifest.digest}

    def referrers_tags(self) -> tuple[str, ...]:
        """Merge the referrers into the referrers tag of each subject the target did not index
        itself (distribution spec, "Pushing Manifests with Subject"); the tags written."""
        written: list[str] = []
        client, registry, repository = self.client, self.registry, self.repository
        for subject, manifests in self.by_subject.items():
            if subject in self.indexed:
                continue
            tag = referrers_tag(subject)
            try:
                # Nothing pushed now, so no OCI-Subject to go by: ask whether the target has
                # the API (then it lists them itself).
                if subject not in self.pushed and (
                    referrers_api(client, registry, repository, subject) is not None
                ):
                    continue
                if _update_referrers_tag(client, ImageRef(registry, repository, tag), manifests):
                    written.append(tag)
            except RegistryError as exc:
                self.warnings.append(
                    f"the referrers tag {self.target}:{tag} is not updated: {exc.message}"
                )
        return tuple(written)


def _update_referrers_tag(client: RegistryClient, at: ImageRef, manifests: list[Manifest]) -> bool:
    """Merge ``manifests`` into the referrers tag ``at``; False when it listed them all
    already (nothing is written)."""
    merged = merged_referrers(get_manifest(client, at), manifests)
    if merged is None:
        return False
    put_manifest(client, at, Manifest.from_bytes(merged, OCI_INDEX))
    return True
