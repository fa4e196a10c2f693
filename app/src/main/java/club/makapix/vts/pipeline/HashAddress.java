package club.makapix.vts.pipeline;

/** The raw address goes no further than this stage: from here on only its keyed hash exists. */
public final class HashAddress implements Stage {
    private final AddressHasher hasher;

    public HashAddress(AddressHasher hasher) {
        this.hasher = hasher;
    }

    @Override
    public Verdict apply(Event event) {
        if (event.address() != null) {
            event.ipHash = hasher.hash(event.address(), event.receivedAt());
            event.forgetAddress();
        }
        return Verdict.pass();
    }
}
