/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ICTL_PCI_INTERNAL_H
#define ICTL_PCI_INTERNAL_H

#include "iommuctl.h"

/* Fill the config-space fields of node (not its verdict or parent). */
int ictl_pci_config(struct ictl_ctx *ctx, const struct ictl_pci_addr *addr,
		    struct ictl_pci_node *node);

#endif
