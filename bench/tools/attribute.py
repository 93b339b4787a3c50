#!/usr/bin/env python3
"""Attributes perf samples to the program's own functions, for bench/README.md's hotspot notes.

Reads `perf script -F ip,sym,dso` on stdin. Each sample's leaf is put in a class (kernel, TLS/crypto, malloc/free,
memcpy, llhttp, other libc, own code); the nearest own-code frame (dso matching --own) names the caller. Prints the
share of samples per class, per own caller of malloc/free and memcpy, and per own function including what it calls
outside the program (kernel and libraries), so a hotspot shows up as "function X: N % of the CPU".
"""
import argparse
import collections
import re
import sys

MALLOC = re.compile(r'^(malloc|_int_malloc|_int_free|cfree|free|__libc_malloc|__GI___libc_malloc|__GI___libc_free|'
                    r'unlink_chunk.*|malloc_consolidate|operator new.*|operator delete.*|tcache.*|realloc|_int_realloc|'
                    r'__libc_calloc|calloc|_int_memalign|__posix_memalign)')
MEMCPY = re.compile(r'^__(memmove|memcpy|memset)')


def samples(stream):
    frames = []
    for line in stream:
        line = line.strip()
        if not line:
            if frames:
                yield frames
            frames = []
            continue
        m = re.match(r'^([0-9a-f]+)\s+(.*)\s+\((.*)\)$', line)
        if m:
            frames.append((m.group(2), m.group(3)))
    if frames:
        yield frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--own', default='heyo-forwarder-bench', help='substring of the program\'s own dso')
    ap.add_argument('--top', type=int, default=25)
    args = ap.parse_args()
    total = 0
    cls = collections.Counter()
    alloc_by = collections.Counter()
    copy_by = collections.Counter()
    inclusive = collections.Counter()
    for frames in samples(sys.stdin):
        total += 1
        leaf_sym, leaf_dso = frames[0]
        own = next((s for s, d in frames if args.own in d), '(none)')
        if 'kernel' in leaf_dso:
            c = 'kernel'
        elif 'libcrypto' in leaf_dso or 'libssl' in leaf_dso:
            c = 'openssl'
        elif MALLOC.match(leaf_sym):
            c = 'malloc/free'
            alloc_by[own] += 1
        elif MEMCPY.match(leaf_sym):
            c = 'memcpy/memmove'
            copy_by[own] += 1
        elif 'llhttp' in leaf_sym:
            c = 'llhttp'
        elif args.own in leaf_dso:
            c = 'own code'
        else:
            c = 'other (' + leaf_dso.rsplit('/', 1)[-1] + ')'
        cls[c] += 1
        seen = set()
        for s, d in frames:
            if args.own in d and s not in seen:
                seen.add(s)
                inclusive[s] += 1
    pct = lambda n: 100.0 * n / max(total, 1)
    print(f'{total} samples')
    print('\nleaf class:')
    for k, n in cls.most_common():
        print(f'  {pct(n):5.1f} %  {k}')
    print('\nmalloc/free, by nearest own caller:')
    for k, n in alloc_by.most_common(args.top):
        print(f'  {pct(n):5.1f} %  {k}')
    print('\nmemcpy/memmove, by nearest own caller:')
    for k, n in copy_by.most_common(args.top):
        print(f'  {pct(n):5.1f} %  {k}')
    print('\nown functions, inclusive (with the kernel and library work they call):')
    for k, n in inclusive.most_common(args.top * 2):
        print(f'  {pct(n):5.1f} %  {k}')


if __name__ == '__main__':
    main()
