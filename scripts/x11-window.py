#!/usr/bin/env python3
"""Finds or closes a top-level X11 window by its title, as a window manager would: `close`
sends WM_DELETE_WINDOW (the title bar's close button), so the app sees a close request.
Used by scripts/desktop-footprint.mjs under Xvfb, where no window manager runs.

Usage: x11-window.py exists TITLE   (exit 0 when a window titled TITLE is mapped)
       x11-window.py close TITLE    (exit 0 when the request was sent)
Needs only libX11 (ctypes, no Python package)."""
import ctypes
import ctypes.util
import sys

X = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
X.XOpenDisplay.restype = ctypes.c_void_p
X.XOpenDisplay.argtypes = [ctypes.c_char_p]
X.XDefaultRootWindow.restype = Window
X.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
X.XInternAtom.restype = ctypes.c_ulong
X.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
X.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                         ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
X.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
X.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
X.XFlush.argtypes = [ctypes.c_void_p]
X.XFree.argtypes = [ctypes.c_void_p]


class XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", Window), ("c_class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
                ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
                ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int),
                ("all_event_masks", ctypes.c_long), ("your_event_mask", ctypes.c_long),
                ("do_not_propagate_mask", ctypes.c_long), ("override_redirect", ctypes.c_int),
                ("screen", ctypes.c_void_p)]


X.XGetWindowAttributes.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(XWindowAttributes)]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", Window), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def find(display, title):
    """Mapped top-level windows (children of the root) named `title`."""
    root = X.XDefaultRootWindow(display)
    r, p, children, n = Window(), Window(), ctypes.POINTER(Window)(), ctypes.c_uint()
    if not X.XQueryTree(display, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(children), ctypes.byref(n)):
        return []
    found = []
    for i in range(n.value):
        w = children[i]
        name = ctypes.c_char_p()
        if X.XFetchName(display, w, ctypes.byref(name)) and name.value:
            attrs = XWindowAttributes()
            X.XGetWindowAttributes(display, w, ctypes.byref(attrs))
            if name.value.decode("utf-8", "replace") == title and attrs.map_state == 2:  # IsViewable
                found.append(w)
            X.XFree(name)
    if n.value:
        X.XFree(children)
    return found


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("exists", "close"):
        print(__doc__, file=sys.stderr)
        return 2
    display = X.XOpenDisplay(None)
    if not display:
        print("no X display (DISPLAY unset?)", file=sys.stderr)
        return 2
    windows = find(display, sys.argv[2])
    if not windows:
        return 1
    if sys.argv[1] == "close":
        protocols = X.XInternAtom(display, b"WM_PROTOCOLS", 0)
        delete = X.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        for w in windows:
            ev = XEvent()
            ev.xclient.type = 33  # ClientMessage
            ev.xclient.window = w
            ev.xclient.message_type = protocols
            ev.xclient.format = 32
            ev.xclient.data[0] = delete
            ev.xclient.data[1] = 0  # CurrentTime
            X.XSendEvent(display, w, 0, 0, ctypes.byref(ev))
        X.XFlush(display)
    return 0


if __name__ == "__main__":
    sys.exit(main())
