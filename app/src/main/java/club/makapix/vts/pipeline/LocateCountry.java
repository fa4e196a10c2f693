package club.makapix.vts.pipeline;

/** Looks up the client's country while its address is still known (web clients and players alike). */
public final class LocateCountry implements Stage {
    private final CountryLookup countries;

    public LocateCountry(CountryLookup countries) {
        this.countries = countries;
    }

    @Override
    public Verdict apply(Event event) {
        if (event.address() != null) {
            event.country = countries.countryOf(event.address());
        }
        return Verdict.pass();
    }
}
