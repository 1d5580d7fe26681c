#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpora of fuzz-{hwinfo,resv,sysattr,pcicap,names,escape} from the
fixture trees under tests/ (tests/fuzz/README.md).  Run from the top of the tree:
    tests/fuzz/make-seeds.py
Each seed is named after what it holds; identical contents are written once."""
import glob, hashlib, os, re, struct

FIX = 'tests/fixtures'
OUT = 'tests/fuzz/corpus'


def put(name, seed, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    seen = getattr(put, 'seen', {})
    put.seen = seen
    h = hashlib.sha1(name.encode() + b'\0' + data).hexdigest()
    if h in seen:
        return
    seen[h] = True
    seed = re.sub(r'[^A-Za-z0-9._-]+', '-', seed).strip('-')[:80]
    with open(os.path.join(d, seed), 'wb') as f:
        f.write(data)


def read(p):
    with open(p, 'rb') as f:
        return f.read()


def walk(pattern):
    """The files under FIX whose path matches the regular expression, symlinks not followed."""
    out = []
    for top, dirs, files in os.walk(FIX):
        for f in files:
            p = os.path.join(top, f)
            if re.search(pattern, p) and not os.path.islink(p):
                out.append(p)
    return sorted(out)


def fixture_of(p):
    return p[len(FIX) + 1:].split('/')[0]


def hexfile(p):
    try:
        return int(read(p).strip().split(b':')[0], 16)
    except (ValueError, OSError):
        return None


# hw_info: first byte picks the type (0 intel-vtd, 1 arm-smmu-v3, 2 tegra241-cmdqv,
# 3 amd-vi, 4 selftest), then the blob; the registers from the captures' sysfs.
for p in sorted(glob.glob(FIX + '/*/sys/devices/virtual/iommu/*/intel-iommu/cap')):
    cap, ecap = hexfile(p), hexfile(os.path.join(os.path.dirname(p), 'ecap'))
    if cap is not None and ecap is not None:
        put('hwinfo', 'vtd-' + fixture_of(p), b'\0' + struct.pack('<IIQQ', 0, 0, cap, ecap))
for p in walk(r'/sys/.*/amd-iommu/features$'):
    t = read(p).strip().split(b':')
    efr = int(t[0], 16)
    efr2 = int(t[1], 16) if len(t) > 1 and t[1] else 0
    put('hwinfo', 'amd-' + fixture_of(p), b'\3' + struct.pack('<QQ', efr, efr2))
idr0 = 1 | 1 << 1 | 2 << 2 | 1 << 4 | 1 << 5 | 2 << 6 | 1 << 9 | 1 << 10 | 1 << 12 | 1 << 13
put('hwinfo', 'smmuv3-mmu700', b'\1' + struct.pack('<II6III', 0, 0, idr0, 0, 0, 0, 0, 0x55,
                                                    0x487 << 20 | 1 << 16 | 2 << 12 | 0x43b, 2))
put('hwinfo', 'tegra241-cmdqv', b'\2' + struct.pack('<IBBBB', 0, 1, 2, 4, 0))
put('hwinfo', 'selftest', b'\4' + struct.pack('<II', 0, 0xdeadbeef))
put('hwinfo', 'vtd-errata-flag', b'\0' + struct.pack('<IIQQ', 1, 0, 0xd2008c22260206, 0xf00f5e))
put('hwinfo', 'type-number-unknown', b'\xff' + struct.pack('<I', 99) + bytes(24))

# reserved_regions of every group of every capture.
for p in sorted(glob.glob(FIX + '/*/sys/kernel/iommu_groups/*/reserved_regions')):
    put('resv', fixture_of(p) + '-group-' + p.split('/')[-2], read(p))
put('resv', 'empty', b'')

# sysfs attributes: the numbers and registers iommuctl reads.
attrs = ['vendor', 'device', 'class', 'revision', 'subsystem_vendor', 'subsystem_device',
         'numa_node', 'boot_vga', 'driver_override', 'cap', 'ecap', 'features', 'type']
for p in walk(r'/sys/.*/(' + '|'.join(attrs) + ')$'):
    b = os.path.basename(p)
    if os.path.isfile(p):
        put('sysattr', fixture_of(p) + '-' + b, read(p))
for s in [b'-1\n', b'0x\n', b'18446744073709551615\n', b'18446744073709551616\n', b'2147483648\n',
          b' 12\n', b'0x10\n\n', b'017\n', b'0xffffffffffffffff:0x1\n']:
    put('sysattr', 'edge-' + s.decode().strip(), s)

# config space of every PCI function of every capture.
for p in walk(r'/sys/devices/.*/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]/config$'):
    put('pcicap', fixture_of(p) + '-' + p.split('/')[-2], read(p))

# device and group names: every name the captures list, and the forms users type.
for p in sorted(glob.glob(FIX + '/*/sys/bus/*/devices/*')):
    put('names', 'dev-' + os.path.basename(p), os.path.basename(p).encode())
for p in sorted(glob.glob(FIX + '/*/sys/kernel/iommu_groups/*')):
    put('names', 'group-' + os.path.basename(p), os.path.basename(p).encode())
for s in ['00:02.0', '0000:00:1F.3', '10000:00:02.0', '0000:00:20.0', '0000:00:02.8', '2147483647',
          '2147483648', '4294967309', '013', '9050000.smmuv3\x0000:1f.0', '0000:00:02.0\x000000:00:02.10']:
    put('names', 'typed-' + s.replace('\0', '-nul-'), s.encode())

# escaping: strings from the captures and the hostile ones of output-hostile.bats.
for p in sorted(glob.glob(FIX + '/*/sys/kernel/iommu_groups/*/type'))[:8]:
    put('escape', fixture_of(p) + '-type', read(p))
put('escape', 'pci-ids-line', b'8086  Intel Corporation')
for name, s in [('driver-esc', b'e1000e\x1b[31m\xff'), ('type-osc', b'DMA\x1b]0;pwned\x07\xfe'),
                ('vendor-bad', b'Intel \xff\xfe\x1b[2J Corp'), ('cut-utf8', b'vfio\xc3(\x07'),
                ('overlong', b'82574L \x01Gigabit\xc0\xaf'), ('backslash-x', b'a\\x41'),
                ('surrogate-cesu', b'\xed\xa0\x80\xed\xb0\x80'), ('c1-csi', b'\xc2\x9b31m'),
                ('utf8-ok', 'é 日本 😀'.encode()), ('past-10ffff', b'\xf4\x90\x80\x80'),
                ('nul-inside', b'ab\0\xff'), ('json-escapes', b'"\\/\b\f\n\r\t')]:
    put('escape', name, s)
