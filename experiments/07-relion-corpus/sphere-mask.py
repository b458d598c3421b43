#!/usr/bin/python3
"""A focus mask as a user draws one without knowing the answer: a soft sphere around the region they suspect.

Reads a tight focus mask (focus.sh's out/hard/focus_mask.mrc, drawn where the true maps differ), takes its centre of
mass and the distance of its farthest voxel above 0.5, and writes a sphere 3 px wider than that with a 3 px raised-
cosine edge, on the same grid and header: about 7x the tight mask's volume on the hard level (4% of the box).
Usage: sphere-mask.py IN.mrc OUT.mrc   (needs numpy: apt-get install python3-numpy)
"""
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("sphere-mask.py needs numpy (apt-get install python3-numpy)")

if len(sys.argv) != 3:
    sys.exit(__doc__)
raw = open(sys.argv[1], "rb").read()
nx, ny, nz, mode = np.frombuffer(raw[:16], dtype=np.int32)
if mode != 2:
    sys.exit(f"{sys.argv[1]}: MRC mode {mode}; float32 (mode 2) expected")
header = 1024 + int(np.frombuffer(raw[92:96], dtype=np.int32)[0])
mask = np.frombuffer(raw[header:header + 4 * nx * ny * nz], dtype=np.float32).reshape(nz, ny, nx)
if mask.sum() <= 0:
    sys.exit(f"{sys.argv[1]}: the mask is zero everywhere")
z, y, x = np.indices(mask.shape)
centre = [(a * mask).sum() / mask.sum() for a in (z, y, x)]
r = np.sqrt((z - centre[0]) ** 2 + (y - centre[1]) ** 2 + (x - centre[2]) ** 2)
radius, edge = r[mask > 0.5].max() + 3, 3.0
sphere = np.where(r <= radius, 1.0, 0.5 - 0.5 * np.cos(np.pi * np.clip((radius + edge - r) / edge, 0, 1))).astype(np.float32)
out = bytearray(raw[:header])
out[76:88] = np.array([sphere.min(), sphere.max(), sphere.mean()], dtype=np.float32).tobytes()
tmp = sys.argv[2] + ".tmp"
with open(tmp, "wb") as f:
    f.write(bytes(out) + sphere.tobytes())
import os
os.replace(tmp, sys.argv[2])
print(f"{sys.argv[2]}: sphere of radius {radius:.1f} px + {edge:.0f} px edge at ({centre[2]:.1f}, {centre[1]:.1f}, {centre[0]:.1f}) px; "
      f"{(sphere > 0.5).mean():.2%} of the box (the tight mask: {(mask > 0.5).mean():.2%})")
