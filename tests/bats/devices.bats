#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "devices: text output matches golden on every fixture" {
	for f in "${FIXTURES[@]}"; do
		golden "$f" devices.txt devices
	done
}

@test "devices --json: every PCI device of the capture, with the kernel's IDs, driver and group" {
	for f in "${FIXTURES[@]}"; do
		run ictl --sysroot "$FIX/$f" --json devices
		assert_success
		local json=$output
		for p in "$FIX/$f"/sys/bus/pci/devices/*; do
			local d=${p##*/} want
			output=$json
			jq_true "any(.devices[]; .device == \"$d\" and .bus == \"pci\"
				and .vendor_id == \"$(cat "$p/vendor")\" and .device_id == \"$(cat "$p/device")\"
				and .class == \"$(cat "$p/class")\")"
			if [ -L "$p/driver" ]; then want="\"$(basename "$(readlink "$p/driver")")\""; else want=null; fi
			jq_true "(.devices[] | select(.device == \"$d\") | .driver) == $want"
			if [ -L "$p/iommu_group" ]; then want=$(basename "$(readlink "$p/iommu_group")"); else want=null; fi
			jq_true "(.devices[] | select(.device == \"$d\") | .group) == $want"
			if [ -L "$p/iommu" ]; then want="\"$(basename "$(readlink "$p/iommu")")\""; else want=null; fi
			jq_true "(.devices[] | select(.device == \"$d\") | .iommu) == $want"
		done
	done
}

@test "devices --json: schema and exact hex formats" {
	run ictl --sysroot "$FIX/intel-server" --json devices
	assert_success
	jq_true 'all(.devices[] | select(.bus == "pci"); (.vendor_id|test("^0x[0-9a-f]{4}$"))
		and (.device_id|test("^0x[0-9a-f]{4}$")) and (.class|test("^0x[0-9a-f]{6}$"))
		and (.revision|test("^0x[0-9a-f]{2}$")) and (.numa_node|type)=="number"
		and (.boot_vga|type)=="boolean" and (.bridge|type)=="boolean")'
}

@test "devices: a device on vfio-pci shows its driver_override and VFIO cdev" {
	run ictl --sysroot "$FIX/intel-server" --json devices
	assert_success
	local want
	want=$(ls "$FIX/intel-server/sys/bus/pci/devices/0000:02:00.0/vfio-dev")
	jq_true "(.devices[] | select(.device == \"0000:02:00.0\")) |
		.driver == \"vfio-pci\" and .driver_override == \"vfio-pci\" and .vfio_dev == \"$want\""
}

@test "devices: names come from the capture's pci.ids" {
	run ictl --sysroot "$FIX/intel-server" --json devices
	assert_success
	jq_true '(.devices[] | select(.device == "0000:00:02.0")) |
		.vendor == "Intel Corporation" and .class_name == "Ethernet controller"'
	jq_true '(.devices[] | select(.device == "0000:03:00.0")) | .vendor == null'
}

@test "devices: works without an IOMMU, with no group" {
	run ictl --sysroot "$FIX/no-iommu" --json devices
	assert_success
	jq_true '(.devices | length) > 0 and all(.devices[]; .group == null and .iommu == null)'
}

@test "devices --driver none lists unbound devices only" {
	run ictl --sysroot "$FIX/intel-server" --json devices --driver none
	assert_success
	jq_true '(.devices | length) > 0 and all(.devices[]; .driver == null)'
}

@test "devices -o DEVICE,VFIO --raw" {
	run ictl --sysroot "$FIX/intel-server" devices -o DEVICE,VFIO --raw --noheadings
	assert_success
	assert_line --regexp '^0000:02:00.0 vfio[0-9]+$'
	assert_line '0000:00:02.0 -'
}
