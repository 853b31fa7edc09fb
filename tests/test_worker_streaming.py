"""Worker events over a Serve handle: those ready together travel as one item, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.streaming import ready_batches


async def collect(source: AsyncIterator[int]) -> list[list[int]]:
    return [batch async for batch in ready_batches(source)]


async def test_a_templated_answer_travels_as_one_item() -> None:
    async def template() -> AsyncIterator[int]:
        for piece in range(25):  # word pieces of a rendered answer: no waiting between them
            yield piece

    assert await collect(template()) == [list(range(25))]


async def test_items_that_arrive_apart_go_out_at_once() -> None:
    async def model() -> AsyncIterator[int]:
        yield 1
        await asyncio.sleep(0.02)  # a tool call, or the next token being generated
        yield 2
        yield 3
        await asyncio.sleep(0.02)
        yield 4

    assert await collect(model()) == [[1], [2, 3], [4]]


async def test_an_error_comes_after_the_items_before_it() -> None:
    async def failing() -> AsyncIterator[int]:
        yield 1
        yield 2
        raise RuntimeError("platform down")

    seen: list[list[int]] = []
    with pytest.raises(RuntimeError, match="platform down"):
        async for batch in ready_batches(failing()):
            seen.append(batch)
    assert seen == [[1, 2]]


async def test_an_empty_stream_and_a_batch_limit() -> None:
    async def nothing() -> AsyncIterator[int]:
        return
        yield 0

    assert await collect(nothing()) == []

    async def many() -> AsyncIterator[int]:
        for n in range(5):
            yield n

    assert [b async for b in ready_batches(many(), max_batch=2)] == [[0, 1], [2, 3], [4]]


async def test_a_closed_stream_stops_its_source() -> None:
    stopped = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
                await asyncio.sleep(0.01)
        finally:
            stopped.set()

    stream = ready_batches(endless())
    assert await anext(stream) == [0]
    await stream.aclose()  # the client went away
    await asyncio.wait_for(stopped.wait(), 1.0)
