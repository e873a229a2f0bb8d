//! `hosts.parallel_transfers`: how many transfers a host sends at once.

use super::raw::RawHost;
use super::validate::Ctx;
use crate::model::{defaults, Topology};

/// Host `i`'s transfer slots: at least 1; not for azure-to-azure, whose VMs send to the
/// cache storage account from Azure, not from a host.
pub(super) fn parallel_transfers(
    ctx: &mut Ctx,
    h: &RawHost,
    i: usize,
    topology: Option<Topology>,
) -> u32 {
    let Some(n) = &h.parallel_transfers else {
        return defaults::PARALLEL_TRANSFERS;
    };
    let field = format!("hosts[{i}].parallel_transfers");
    if topology == Some(Topology::AzureToAzure) {
        ctx.error(
            n.span(),
            &field,
            "azure-to-azure VMs send to the cache storage account, not through a host's transfer slots",
            Some("no parallel_transfers with topology = \"azure-to-azure\"".into()),
        );
    } else if *n.get_ref() == 0 {
        ctx.error(
            n.span(),
            &field,
            "zero transfer slots: no transfer would ever start",
            Some(format!(
                "a whole number of at least 1 (default {})",
                defaults::PARALLEL_TRANSFERS
            )),
        );
    }
    (*n.get_ref()).max(1)
}
