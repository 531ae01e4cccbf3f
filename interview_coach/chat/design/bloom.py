"""A Bloom filter that grows: "certainly not seen" from memory, "maybe" sends you to the store.

The embedded store keeps one over the client ids of every message it holds, so a first send —
nearly every send — needs no SQLite query on the event loop to prove it is not a retry. A
"maybe" (a real retry, or a false positive about once in 400) still asks the store, so the
answer is always exact; the filter only saves the look-ups that would have found nothing.

It grows by layers (a scalable Bloom filter): when one is full, a new one twice its size is
added; a key may be in any layer. Two bytes per key at the default density.
"""

from __future__ import annotations

BITS_PER_KEY = 16  # with 4 probes: about 0.24 % false positives per full layer
PROBES = 4
_MASK32 = 0xFFFFFFFF


class _Layer:
    __slots__ = ("bits", "capacity", "count", "size")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = capacity * BITS_PER_KEY
        self.bits = bytearray(self.size // 8 + 1)
        self.count = 0


class GrowingBloomFilter:
    def __init__(self, capacity: int = 65_536) -> None:
        self._layers = [_Layer(max(1024, capacity))]

    def __len__(self) -> int:
        return sum(layer.count for layer in self._layers)

    def add(self, key: str) -> None:
        layer = self._layers[-1]
        if layer.count >= layer.capacity:
            layer = _Layer(layer.capacity * 2)
            self._layers.append(layer)
        h = hash(key)  # SipHash, salted per process: an outsider cannot aim collisions at it
        a, b = h & _MASK32, ((h >> 32) & _MASK32) | 1
        bits, size = layer.bits, layer.size
        for i in range(PROBES):
            index = (a + i * b) % size
            bits[index >> 3] |= 1 << (index & 7)
        layer.count += 1

    def __contains__(self, key: str) -> bool:
        """False: certainly never added. True: probably added."""
        h = hash(key)
        a, b = h & _MASK32, ((h >> 32) & _MASK32) | 1
        for layer in self._layers:
            bits, size = layer.bits, layer.size
            for i in range(PROBES):
                index = (a + i * b) % size
                if not bits[index >> 3] & (1 << (index & 7)):
                    break
            else:
                return True
        return False
