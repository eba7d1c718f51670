//! One archive, fetched and judged, the same way for install and mirror:
//! located along the chain of bases (or a local zip), streamed once through
//! the hashing thread into a consumer (the extractor for an install, a copy
//! for a mirror), its digest judged by `verify`, and fetched again from
//! scratch, a few times, when the server cannot resume.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::verify::{self, Policy, Verdict};
use crate::domain::mirror::BaseList;
use crate::domain::sums::Sha256;
use crate::error::{Error, Result};
use crate::extract::hashed::HashedReader;
use crate::net::ranged::ScratchFile;
use crate::net::sources::{Checksum, Finder, Located, Published};
use crate::progress::{Event, Meter, Reporter};

/// Fresh starts after the server could not resume, before giving up.
const RESTARTS: u32 = 3;

/// Where an archive can come from.
pub(crate) struct Origin<'a> {
    pub(crate) finder: &'a Finder<'a>,
    pub(crate) bases: &'a BaseList,
    /// `--from-file`: this zip instead of any download.
    pub(crate) from_file: Option<&'a Path>,
    pub(crate) tag: &'a str,
}

/// What the archive's bytes are for. A consumer is made fresh for every
/// attempt (its temporary file with it), so a restart never mixes bytes.
pub(crate) trait Consumer {
    type Output;
    /// `size`: the archive's announced length, when the source gave one.
    fn consume(self, archive: &mut dyn Read, size: Option<u64>) -> Result<Self::Output>;
}

/// What asking for one archive asks.
pub(crate) struct Request<'a> {
    pub(crate) asset: &'a str,
    /// The progress label (the triple).
    pub(crate) label: &'a str,
    pub(crate) pinned: Option<&'a Published>,
    pub(crate) policy: Policy,
    /// Where a download over several connections may keep its bytes: the
    /// destination's folder (same disk, never /tmp).
    pub(crate) scratch_dir: &'a Path,
}

pub(crate) struct Fetched<T> {
    pub(crate) output: T,
    pub(crate) url: String,
    pub(crate) zip_sha: Sha256,
    pub(crate) zip_bytes: u64,
    pub(crate) verdict: Verdict,
    /// Remarks for the user (e.g. the GitHub API was unavailable).
    pub(crate) notes: Vec<String>,
}

pub(crate) fn fetch<C: Consumer>(
    origin: &Origin,
    req: &Request,
    ui: &dyn Reporter,
    mut consumer: impl FnMut() -> Result<C>,
) -> Result<Fetched<C::Output>> {
    let mut restarts = 0;
    loop {
        match attempt(origin, req, ui, consumer()?) {
            Err(Error::Restart { .. }) if restarts < RESTARTS => restarts += 1,
            done => return done,
        }
    }
}

fn attempt<C: Consumer>(
    origin: &Origin,
    req: &Request,
    ui: &dyn Reporter,
    consumer: C,
) -> Result<Fetched<C::Output>> {
    let started = Instant::now();
    let spinner = ui.connecting(req.label);
    let located = locate(origin, req);
    spinner.finish();
    let Located { url, reader, size, checksum } = located?;
    verify::refuse_early(req.asset, req.pinned, &checksum, req.policy)?;
    let connected = started.elapsed();
    let meter = Arc::new(FirstByte { inner: ui.meter(req.label, size), at: OnceLock::new() });
    let mut hashed = HashedReader::spawn(reader, meter.clone());
    let consumed = consumer.consume(&mut hashed, size);
    let extracted = started.elapsed();
    let expected = verify::expected(req.pinned, &checksum);
    let result = match consumed {
        Err(refused) => {
            Err(verify::explain(refused, req.asset, expected, || hashed.finish().ok().map(|(d, _)| d)))
        }
        Ok(output) => hashed.finish().and_then(|(zip_sha, zip_bytes)| {
            let (verdict, note) = verify::decide(req.asset, req.pinned, &checksum, zip_sha, req.policy)?;
            let by =
                verdict.by().map_or_else(|| format!("nothing ({})", checksum.why_none()), str::to_string);
            ui.event(Event::Detail { level: 1, text: &format!("{}: verified by {by}", req.label) });
            Ok(Fetched { output, url, zip_sha, zip_bytes, verdict, notes: note.into_iter().collect() })
        }),
    };
    meter.inner.finish();
    let first = meter.at.get().map(|t| t.duration_since(started));
    let ms = |d: Duration| format!("{} ms", d.as_millis());
    let text = format!(
        "{}: connect {}, first byte {}, download and inflate {}",
        req.label,
        ms(connected),
        first.map_or_else(|| "-".into(), ms),
        ms(extracted.saturating_sub(connected)),
    );
    ui.event(Event::Detail { level: 1, text: &text });
    result
}

/// The meter, noting when the first byte arrived (for -v's timings).
struct FirstByte {
    inner: Arc<dyn Meter>,
    at: OnceLock<Instant>,
}

impl Meter for FirstByte {
    fn advance(&self, n: u64) {
        self.at.get_or_init(Instant::now);
        self.inner.advance(n);
    }
    fn finish(&self) {
        self.inner.finish();
    }
}

fn locate(origin: &Origin, req: &Request) -> Result<Located> {
    if let Some(zip) = origin.from_file {
        let file = std::fs::File::open(zip).map_err(|e| Error::io("open", zip, e))?;
        let size = file.metadata().ok().map(|m| m.len());
        return Ok(Located {
            url: zip.display().to_string(),
            reader: Box::new(file),
            size,
            checksum: Checksum::NonePublished("a local file publishes no checksum (pass --sha256)".into()),
        });
    }
    let dir = req.scratch_dir;
    let scratch = move |size: u64| -> Result<ScratchFile> {
        crate::extract::space::ensure(dir, size, "the download's temporary file")?;
        let made = tempfile::Builder::new().prefix(".slim-setup-range-").tempfile_in(dir);
        let f = made.map_err(|e| Error::io("create a temporary file in", dir, e))?;
        let guard = crate::interrupt::track(f.path());
        f.as_file().set_len(size).map_err(|e| Error::io("write a temporary file in", dir, e))?;
        let file = f.reopen().map_err(|e| Error::io("open", f.path(), e))?;
        Ok(ScratchFile { file, _keep: Box::new((f, guard)) })
    };
    match origin.bases {
        BaseList::Off => Err(Error::Offline(req.asset.into())),
        BaseList::Chain(bases) => origin.finder.locate(bases, origin.tag, req.asset, Some(&scratch)),
    }
}
