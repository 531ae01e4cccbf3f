"""A tiny VT100 screen for pseudo-terminal tests.

prompt_toolkit redraws only the characters that changed (a countdown going from 7:29 to 7:28
sends a single '8' after a cursor move), so reading the raw stream cannot show what a person
sees. This keeps a grid of cells and applies the handful of sequences prompt_toolkit and rich
write: cursor moves, erase, carriage return, line feed with scrolling; colours are ignored.
It also answers cursor position requests (ESC [6n) the way a terminal does, which
prompt_toolkit needs before it shows a bottom toolbar.
"""

from __future__ import annotations

import re

_CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([@A-Za-z])")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


class Screen:
    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.pending = ""
        self.replies: list[str] = []  # what the terminal must send back (cursor reports)

    def text(self) -> str:
        return "\n".join("".join(r).rstrip() for r in self.grid)

    def _scroll(self) -> None:
        self.grid.pop(0)
        self.grid.append([" "] * self.cols)

    def _linefeed(self) -> None:
        if self.row == self.rows - 1:
            self._scroll()
        else:
            self.row += 1

    def _put(self, ch: str) -> None:
        if self.col >= self.cols:
            self.col = 0
            self._linefeed()
        self.grid[self.row][self.col] = ch
        self.col += 1

    def feed(self, data: str) -> None:
        data = self.pending + data
        self.pending = ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                m = _CSI.match(data, i)
                if m:
                    self._csi(m.group(1), m.group(2), m.group(3))
                    i = m.end()
                    continue
                m = _OSC.match(data, i)
                if m:
                    i = m.end()
                    continue
                if len(data) - i < 16:  # an escape sequence cut in half: wait for the rest
                    self.pending = data[i:]
                    return
                i += 2 if i + 1 < len(data) else 1  # ESC x sequences we do not model
                continue
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self._linefeed()
            elif ch == "\b":
                self.col = max(0, self.col - 1)
            elif ch == "\x07":
                pass
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _csi(self, private: str, params: str, final: str) -> None:
        if private:
            return  # modes: cursor visibility, bracketed paste, autowrap
        nums = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = nums[0] if nums and nums[0] else 1
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "G":
            self.col = min(self.cols - 1, n - 1)
        elif final in "Hf":
            r = (nums[0] if nums and nums[0] else 1) - 1
            c = (nums[1] if len(nums) > 1 and nums[1] else 1) - 1
            self.row, self.col = min(self.rows - 1, r), min(self.cols - 1, c)
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode == 0:
                self.grid[self.row][self.col:] = [" "] * (self.cols - self.col)
                for r in range(self.row + 1, self.rows):
                    self.grid[r] = [" "] * self.cols
            elif mode in (2, 3):
                self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K":
            mode = nums[0] if nums else 0
            if mode == 0:
                self.grid[self.row][self.col:] = [" "] * (self.cols - self.col)
            elif mode == 2:
                self.grid[self.row] = [" "] * self.cols
        elif final == "n" and nums == [6]:
            self.replies.append(f"\x1b[{self.row + 1};{self.col + 1}R")
