#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pt dump --svg, looked at in a real browser: headless Chromium (Debian's chromium, which
# 'make deps' installs) renders the map; the screenshot must not be blank and must hold the
# colours of the legend, and the page, laid out by the browser, must have one box per range
# and reserved region, each with a width, and a legend.
load helpers

setup() {
	command -v chromium >/dev/null || skip "chromium is not installed: 'make deps' installs it"
	cd "$BATS_TEST_TMPDIR" || return 1
	printf '%s\n' '0x0 8K 0x200000 rw' '0x200000 2M 0x40000000 r' \
		'0x40000000 1G 0x80000000 rwx' '0x80000000 12K 0x1000 rw page=4K' \
		'0xfec00000 1M 0xfec00000 rw' '0x100000000 4G 0x100000000 rw' > m.txt
	printf '0x00000000fee00000 0x00000000feefffff msi\n' > resv
	"$IOMMUCTL" pt build --format x86-64 -o t.img m.txt > /dev/null
	"$IOMMUCTL" pt dump --svg --reserved resv t.img > map.svg
}

# The flags that work on this machine (no sandbox as root, no network, a fresh profile).
browser() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$BATS_TEST_TMPDIR/profile" "$@" 2>/dev/null
}

@test "pt dump --svg: the screenshot is not blank and shows the legend's colours" {
	browser --window-size=1200,260 --screenshot="$PWD/map.png" "file://$PWD/map.svg"
	assert_file_exists map.png
	# Decode the PNG (zlib and the five scanline filters; no image library needed) and count
	# the pixels of each colour the map uses.
	run python3 - map.png <<-'EOF'
		import struct, sys, zlib
		data = open(sys.argv[1], "rb").read()
		assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
		pos, idat, w = 8, b"", 0
		while pos < len(data):
		    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
		    body = data[pos + 8:pos + 8 + n]
		    if kind == b"IHDR":
		        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
		        assert depth == 8 and ctype in (2, 6), (depth, ctype)
		        bpp = 3 if ctype == 2 else 4
		    elif kind == b"IDAT":
		        idat += body
		    pos += 12 + n
		raw, stride, prev, rows = zlib.decompress(idat), w * bpp, None, []
		for y in range(h):
		    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
		    for i in range(stride):
		        a = line[i - bpp] if i >= bpp else 0
		        b = prev[i] if prev else 0
		        c = prev[i - bpp] if prev and i >= bpp else 0
		        if f == 1: line[i] = (line[i] + a) & 255
		        elif f == 2: line[i] = (line[i] + b) & 255
		        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
		        elif f == 4:
		            p = a + b - c
		            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
		            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
		    rows.append(bytes(line)); prev = line
		want = {"4K blue": (0x4e, 0x79, 0xa7), "2M green": (0x59, 0xa1, 0x4f),
		        "1G yellow": (0xed, 0xc9, 0x48), "exec red": (0xe1, 0x57, 0x59)}
		count = dict.fromkeys(want, 0); white = 0
		for r in rows:
		    for x in range(w):
		        px = tuple(r[x * bpp:x * bpp + 3])
		        white += px == (255, 255, 255)
		        for k, v in want.items():
		            count[k] += all(abs(px[i] - v[i]) <= 8 for i in range(3))
		print("size %dx%d, not white %d" % (w, h, w * h - white))
		for k in want:
		    print("%s %d" % (k, count[k]))
	EOF
	assert_success
	[[ ${lines[0]} =~ not\ white\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 20000 ] ||
		fail "the screenshot is (nearly) blank: ${lines[0]}"
	for colour in "4K blue" "2M green" "1G yellow" "exec red"; do
		local n
		n=$(awk -v c="$colour" 'index($0, c) == 1 { print $NF }' <<<"$output")
		[ "${n:-0}" -gt 50 ] || fail "$colour: only ${n:-0} pixels"
	done
}

@test "pt dump --svg: laid out by the browser, one box per range and region, and a legend" {
	# The SVG inline in a page whose script measures what the browser laid out.
	{
		echo '<!DOCTYPE html><html><body>'
		sed 1d map.svg
		cat <<-'EOF'
			<script>
			const n = s => document.querySelectorAll(s).length;
			const wide = [...document.querySelectorAll('.map-range > rect, .map-resv > rect')]
				.every(r => r.getBBox().width > 5 && r.getBBox().height > 5);
			document.body.dataset.result = [n('.map-range'), n('.map-resv'), n('.map-gap'),
				n('#legend .legend-item'), n('.map-range.exec'), n('.map-range.ro'),
				n('.map-range title'), wide].join(' ');
			</script></body></html>
		EOF
	} > page.html
	run browser --dump-dom "file://$PWD/page.html"
	assert_success
	[[ $output =~ data-result=\"([^\"]*)\" ]] || fail "no result in the page: ${output:0:300}"
	# 6 ranges (4K, 2M, 1G, 4K, 4K, 1G x4), the MSI region, 5 gaps, a legend of 3 page sizes
	# and read-only, executable, reserved; one executable range, one read-only, a tooltip each.
	assert_equal "${BASH_REMATCH[1]}" "6 1 5 6 1 1 6 true"
}
