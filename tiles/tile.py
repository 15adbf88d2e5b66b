"""Web Mercator XYZ tile addresses."""

from __future__ import annotations

from dataclasses import dataclass

from tiles.errors import TileNotFound


@dataclass(frozen=True)
class Tile:
    """One XYZ tile; construct with `Tile.checked` to validate."""

    z: int
    x: int
    y: int

    @classmethod
    def checked(cls, z: int, x: int, y: int, max_zoom: int) -> Tile:
        """The tile, or TileNotFound when it is outside the pyramid."""
        if not 0 <= z <= max_zoom:
            raise TileNotFound(f"zoom {z} is outside 0..{max_zoom}")
        size = 1 << z
        if not (0 <= x < size and 0 <= y < size):
            raise TileNotFound(f"tile {z}/{x}/{y} does not exist (x and y in 0..{size - 1})")
        return cls(z, x, y)

    def params(self, extent: int, buffer: int) -> dict[str, int | float]:
        """Bound parameters every layer statement takes."""
        return {
            "z": self.z,
            "x": self.x,
            "y": self.y,
            "extent": extent,
            "buffer": buffer,
            "margin": buffer / extent,
        }
