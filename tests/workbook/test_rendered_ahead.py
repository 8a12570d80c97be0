"""A part's next chunk is rendered in a second thread while the current one is deflated: the
chunks arrive whole and in order, a failure while rendering reaches the writer, and a writer
that stops early stops the renderer."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from addin.workbook.zip_package import rendered_ahead


def test_chunks_arrive_in_order_from_another_thread() -> None:
    threads: list[str] = []

    def chunks() -> Iterator[bytes]:
        for i in range(50):
            threads.append(threading.current_thread().name)
            yield str(i).encode()

    assert list(rendered_ahead(chunks())) == [str(i).encode() for i in range(50)]
    assert set(threads) == {"potentiel-render"}


def test_a_rendering_failure_reaches_the_writer() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"<row/>"
        raise ValueError("bad cell")

    got = []
    with pytest.raises(ValueError, match="bad cell"):
        for chunk in rendered_ahead(chunks()):
            got.append(chunk)
    assert got == [b"<row/>"]


def test_a_writer_that_stops_stops_the_renderer() -> None:
    rendered = []

    def chunks() -> Iterator[bytes]:
        for i in range(1000):
            rendered.append(i)
            yield b"x"

    ahead = rendered_ahead(chunks())
    assert next(ahead) == b"x"
    ahead.close()  # the writer failed: the renderer ends instead of rendering the rest
    assert not any(t.name == "potentiel-render" and t.is_alive() for t in threading.enumerate())
    assert len(rendered) < 10
