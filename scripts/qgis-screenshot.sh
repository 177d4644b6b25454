#!/usr/bin/env bash
# Starts QGIS desktop under Xvfb with the MoSAiC C++ plugin (libmosaicplugin.so
# from the build tree) enabled in a throw-away profile, checks that the
# provider `mosaic` and its three algorithms are in the Processing registry,
# opens the Processing Toolbox filtered on "MoSAiC", saves a screenshot of
# the main window, and builds each algorithm's dialog.
#
# Usage: scripts/qgis-screenshot.sh [BUILD_DIR [OUTPUT.png]]
#   defaults: build, docs/images/qgis-toolbox.png
# Needs qgis, xvfb and xauth (scripts/setup-debian.sh) and a build with
# MOSAIC_WITH_QGIS=ON. About 15 s. Exit status 0 only when the provider was
# found and the screenshot written.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out=${2:-$repo/docs/images/qgis-toolbox.png}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

plugin_dir=$build/qgis_plugin/cpp
[ -f "$plugin_dir/libmosaicplugin.so" ] || {
  echo "qgis-screenshot: $plugin_dir/libmosaicplugin.so missing (build the mosaicplugin target)" >&2
  exit 1
}

work=$(mktemp -d /tmp/mosaic-qgis-screenshot.XXXXXX)
trap 'rm -rf "$work"' EXIT
profile=$work/config
mkdir -p "$profile/profiles/default/QGIS" "$work/runtime"
chmod 700 "$work/runtime"
# The C++ plugin is loaded from an extra plugin path and enabled; the Python
# plugin mosaic_processing is not on the path, so the provider can only come
# from the C++ plugin. No tips, news or version check.
cat > "$profile/profiles/default/QGIS/QGIS3.ini" <<INI
[Plugins]
libmosaicplugin=true

[PythonPlugins]
processing=true

[plugins]
searchPathsForPlugins=$plugin_dir

[qgis]
checkVersion=false
showTips=false
allowVersionCheck=false

[core]
NewsFeed\\\\httpsfeedqgisorg\\\\disabled=true
INI

cat > "$work/screenshot.py" <<PY
import os
from qgis.PyQt.QtCore import QModelIndex, Qt, QTimer
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.core import QgsApplication
from qgis.utils import iface

def finish(status):
    with open("$work/status.txt", "w") as f:
        f.write(status + "\n")
    os._exit(0)

def shoot():
    try:
        provider = QgsApplication.processingRegistry().providerById("mosaic")
        if provider is None:
            finish("no provider 'mosaic'")
            return
        ids = sorted(a.id() for a in provider.algorithms())
        window = iface.mainWindow()
        window.grab().save("$out")
        # Every algorithm's dialog builds its parameter widgets.
        import processing
        for algorithm_id in ids:
            dialog = processing.createAlgorithmDialog(algorithm_id)
            if dialog is None:
                finish("no dialog for " + algorithm_id)
                return
            dialog.close()
        finish("ok " + provider.name() + " " + " ".join(ids))
    except Exception as e:  # report, never hang
        finish("error " + repr(e))

def select_classify(tree):
    model = tree.model()
    def walk(parent):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            if str(model.data(index)).startswith("Classify scene"):
                tree.setCurrentIndex(index)
                return True
            if walk(index):
                return True
        return False
    walk(QModelIndex())

def show_toolbox():
    try:
        window = iface.mainWindow()
        window.resize(1280, 800)
        dock = window.findChild(QDockWidget, "ProcessingToolbox")
        dock.show()
        dock.raise_()
        dock.searchBox.setText("MoSAiC")
        window.resizeDocks([dock], [440], Qt.Horizontal)
        select_classify(dock.algorithmTree)
    except Exception as e:
        finish("error " + repr(e))
    QTimer.singleShot(2500, shoot)

QTimer.singleShot(3000, show_toolbox)
QTimer.singleShot(60000, lambda: finish("timeout"))
PY

export QGIS_CUSTOM_CONFIG_PATH=$profile
export XDG_RUNTIME_DIR=$work/runtime
export QGIS_PLUGINPATH=$plugin_dir
timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" \
  qgis.bin --nologo --noversioncheck --code "$work/screenshot.py" \
  > "$work/qgis.log" 2>&1 || true

status=$(cat "$work/status.txt" 2>/dev/null || echo "QGIS did not run the script")
case $status in
  "ok MoSAiC mosaic:classify mosaic:embed mosaic:labelscenes")
    echo "qgis-screenshot: provider MoSAiC with classify, embed, labelscenes; wrote $out" ;;
  *)
    echo "qgis-screenshot: $status" >&2
    tail -30 "$work/qgis.log" >&2
    exit 1 ;;
esac
