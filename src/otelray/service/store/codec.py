"""How per-trace ``facts`` are stored: zstd with a dictionary trained once and kept in the database.

The store study (``reference/store-feasibility.md``, "Raw-document encoding") found that small,
similar JSON texts compress about 4× better with a 16 KiB dictionary than without one. The facts of
a trace are such texts (about 1.1 KB, 500 B with plain zstd, about 115 B with a dictionary). The
summary thread packs the first ``TRAIN_SAMPLES`` facts with plain zstd, then trains a dictionary from
them, stores it in ``zdict`` (keyed by its zstd dictionary id) and uses it from then on. Every zstd
frame names its dictionary (id 0: none), so rows written before the dictionary existed, or by
earlier versions (plain zstd, plain text), still read; a frame naming a dictionary the database
lacks raises ``DictionaryMissing``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

import zstandard

log = logging.getLogger(__name__)

#: Facts texts collected before the dictionary is trained.
TRAIN_SAMPLES = 2000
#: Dictionary size; the store study saw no gain beyond 16 KiB.
DICT_SIZE = 16 * 1024
LEVEL = 3


class DictionaryMissing(RuntimeError):
    """A stored frame names a compression dictionary that is not in the database."""


class FactsCodec:
    """Packs facts (summary thread only) and unpacks them (any thread)."""

    def __init__(self) -> None:
        self._dicts: dict[int, zstandard.ZstdCompressionDict] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, write_checksum=False)
        self._trained = False
        self._unsaved: zstandard.ZstdCompressionDict | None = None
        self._samples: list[bytes] = []

    def load(self, conn: sqlite3.Connection) -> None:
        """Read the stored dictionaries; the newest one packs from now on (no training then)."""
        rows = conn.execute("SELECT id, d FROM zdict ORDER BY rowid").fetchall()
        with self._lock:
            for dict_id, data in rows:
                self._dicts[dict_id] = zstandard.ZstdCompressionDict(data)
        if rows:
            self._use(self._dicts[rows[-1][0]])

    def pack(self, facts: str) -> bytes:
        """The stored form of a facts text."""
        data = facts.encode()
        if not self._trained:
            self._samples.append(data)
            if len(self._samples) >= TRAIN_SAMPLES:
                self._train()
        return self._compressor.compress(data)

    def save(self, conn: sqlite3.Connection) -> None:
        """Store a newly trained dictionary (before any row packed with it is written)."""
        if self._unsaved is not None:
            conn.execute("INSERT OR IGNORE INTO zdict(id, d) VALUES (?, ?)",
                         (self._unsaved.dict_id(), self._unsaved.as_bytes()))
            self._unsaved = None

    def unpack(self, value: bytes | str | None, conn: sqlite3.Connection) -> str | None:
        """The facts text of a stored value (plain text is passed through)."""
        if value is None or isinstance(value, str):
            return value
        dict_id = zstandard.get_frame_parameters(value).dict_id
        decompressors: dict[int, zstandard.ZstdDecompressor] | None = getattr(self._local, "d", None)
        if decompressors is None:
            decompressors = self._local.d = {}
        decompressor = decompressors.get(dict_id)
        if decompressor is None:
            decompressor = decompressors[dict_id] = self._decompressor(dict_id, conn)
        return decompressor.decompress(value).decode()

    def _decompressor(self, dict_id: int, conn: sqlite3.Connection) -> zstandard.ZstdDecompressor:
        if dict_id == 0:
            return zstandard.ZstdDecompressor()
        with self._lock:
            found = self._dicts.get(dict_id)
        if found is None:
            row = conn.execute("SELECT d FROM zdict WHERE id = ?", (dict_id,)).fetchone()
            if row is None:
                raise DictionaryMissing(f"stored facts need compression dictionary {dict_id}, "
                                        "which is not in the database's zdict table")
            found = zstandard.ZstdCompressionDict(row[0])
            with self._lock:
                self._dicts[dict_id] = found
        return zstandard.ZstdDecompressor(dict_data=found)

    def _train(self) -> None:
        try:
            trained = zstandard.train_dictionary(DICT_SIZE, self._samples, level=LEVEL)
        except zstandard.ZstdError as exc:  # too few distinct samples: keep plain zstd, try again later
            log.info("facts dictionary not trained yet (%s)", exc)
            self._samples.clear()
            return
        with self._lock:
            self._dicts[trained.dict_id()] = trained
        log.info("trained facts compression dictionary %d from %d summaries", trained.dict_id(), len(self._samples))
        self._unsaved = trained
        self._use(trained)

    def _use(self, trained: zstandard.ZstdCompressionDict) -> None:
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=trained, write_checksum=False)
        self._trained = True
        self._samples = []
