#!/usr/bin/python3
"""Renders docs/images/sample-prediction.png: the top-1 class of `mosaic predict`
on the bundled sample scene next to the scene's true land cover, with a legend.

    /usr/bin/python3 scripts/make-preview.py [--mosaic build/cli/mosaic]
        [--out docs/images/sample-prediction.png]

Runs `mosaic predict` (no arguments: sample scene and model) in a temporary
folder, reads its top-3 raster (band 1, 1-based class index, 0 = nodata) and
sample_data/scene/land_cover.tif (0-based class index) with GDAL, and draws
both with PIL. Needs Debian's python3-gdal and python3-pil.
"""
import argparse
import os
import subprocess
import sys
import tempfile

from osgeo import gdal
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# BigEarthNet-19 classes in model order, with colours after the CORINE Land
# Cover legend (adjusted where two neighbouring classes were hard to tell apart).
CLASSES = [
    ("Urban fabric", (230, 0, 77)),
    ("Industrial or commercial units", (204, 77, 242)),
    ("Arable land", (255, 255, 168)),
    ("Permanent crops", (230, 128, 0)),
    ("Pastures", (230, 230, 77)),
    ("Complex cultivation patterns", (255, 210, 120)),
    ("Land principally occupied by agriculture, with significant areas of natural vegetation",
     (205, 170, 60)),
    ("Agro-forestry areas", (242, 204, 166)),
    ("Broad-leaved forest", (128, 220, 0)),
    ("Coniferous forest", (0, 140, 0)),
    ("Mixed forest", (60, 190, 120)),
    ("Natural grassland and sparsely vegetated areas", (204, 242, 77)),
    ("Moors, heathland and sclerophyllous vegetation", (215, 130, 165)),
    ("Transitional woodland, shrub", (166, 242, 0)),
    ("Beaches, dunes, sands", (230, 230, 230)),
    ("Inland wetlands", (166, 166, 255)),
    ("Coastal wetlands", (204, 204, 255)),
    ("Inland waters", (0, 204, 242)),
    ("Marine waters", (0, 90, 200)),
]
NODATA_COLOUR = (40, 40, 40)
PANEL = 450  # px per map panel
MARGIN = 16
BACKGROUND = (255, 255, 255)


def font(size, bold=False):
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(os.path.join("/usr/share/fonts/truetype/dejavu", name), size)
    except OSError:
        return ImageFont.load_default()


def read_band(path, band):
    ds = gdal.Open(path)
    if ds is None:
        sys.exit(f"make-preview.py: cannot open {path}")
    values = ds.GetRasterBand(band).ReadRaster()
    size = (ds.RasterXSize, ds.RasterYSize)
    ds = None
    return size, values


def label_image(size, values, to_class):
    """A palette image: palette index = class index (0..18), 19 = nodata."""
    image = Image.frombytes("P", size, bytes(to_class[v] for v in values))
    palette = []
    for _, rgb in CLASSES:
        palette.extend(rgb)
    palette.extend(NODATA_COLOUR)
    image.putpalette(palette)
    return image.resize((PANEL, PANEL), Image.NEAREST)


def wrap(draw, text, fnt, width):
    lines, line = [], ""
    for word in text.split(" "):
        candidate = (line + " " + word).strip()
        if line and draw.textlength(candidate, font=fnt) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mosaic", default=os.path.join(ROOT, "build/cli/mosaic"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs/images/sample-prediction.png"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        subprocess.run([os.path.abspath(args.mosaic), "predict", "--quiet"], cwd=work, check=True)
        top = os.path.join(work, "mosaic-predict-out", "mosaic-sample-top3.tif")
        pred_size, pred = read_band(top, 1)
    truth_size, truth = read_band(os.path.join(ROOT, "sample_data/scene/land_cover.tif"), 1)
    if pred_size != truth_size:
        sys.exit(f"make-preview.py: prediction {pred_size} and truth {truth_size} differ in size")

    nodata = len(CLASSES)
    # top-k: 1-based, 0 = nodata; land cover: 0-based.
    pred_map = [nodata if v == 0 or v > len(CLASSES) else v - 1 for v in range(256)]
    truth_map = [v if v < len(CLASSES) else nodata for v in range(256)]
    pred_image = label_image(pred_size, pred, pred_map)
    truth_image = label_image(truth_size, truth, truth_map)
    present = sorted({pred_map[v] for v in set(pred)} | {truth_map[v] for v in set(truth)})

    title_font, text_font, small_font = font(15, bold=True), font(13), font(11)
    width = 2 * PANEL + 3 * MARGIN
    column = (width - 3 * MARGIN) // 2
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    entries = []
    for c in present:
        name = "no data" if c == nodata else CLASSES[c][0]
        colour = NODATA_COLOUR if c == nodata else CLASSES[c][1]
        entries.append((colour, wrap(probe, name, text_font, column - 26)))
    line_h = 17
    half = (len(entries) + 1) // 2
    columns = [entries[:half], entries[half:]]
    legend_h = max(sum(len(lines) * line_h + 4 for _, lines in col) for col in columns)
    title_h = 26
    height = MARGIN + title_h + PANEL + MARGIN + legend_h + 22 + MARGIN

    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    x_truth, x_pred, y_maps = MARGIN, 2 * MARGIN + PANEL, MARGIN + title_h
    draw.text((x_truth, MARGIN), "True land cover (synthetic scene)", fill=(0, 0, 0),
              font=title_font)
    draw.text((x_pred, MARGIN), "mosaic predict: top-1 class", fill=(0, 0, 0), font=title_font)
    canvas.paste(truth_image.convert("RGB"), (x_truth, y_maps))
    canvas.paste(pred_image.convert("RGB"), (x_pred, y_maps))
    for x in (x_truth, x_pred):
        draw.rectangle([x - 1, y_maps - 1, x + PANEL, y_maps + PANEL], outline=(120, 120, 120))

    y0 = y_maps + PANEL + MARGIN
    for i, col in enumerate(columns):
        x = MARGIN + i * (column + MARGIN)
        y = y0
        for colour, lines in col:
            draw.rectangle([x, y + 2, x + 16, y + 14], fill=colour, outline=(90, 90, 90))
            for k, line in enumerate(lines):
                draw.text((x + 24, y + k * line_h), line, fill=(0, 0, 0), font=text_font)
            y += len(lines) * line_h + 4
    note = ("Sample scene: synthetic, 600 x 600 px at 10 m (6 x 6 km), 10 % cloud. "
            "Sample model: small_cnn trained on synthetic data. Made by scripts/make-preview.py.")
    draw.text((MARGIN, height - MARGIN - 14), note, fill=(90, 90, 90), font=small_font)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    canvas.save(args.out, optimize=True)
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
