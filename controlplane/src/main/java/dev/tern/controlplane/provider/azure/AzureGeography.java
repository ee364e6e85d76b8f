package dev.tern.controlplane.provider.azure;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Continent;
import dev.tern.policy.geo.Countries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Traffic Manager's geographic hierarchy (World, its eight regions, their countries) and how a
 * Tern client zone is written in it. Pure.
 *
 * <p>Azure's regions are not Tern's continents: {@code GEO-ME} (Middle East) is part of Tern's
 * {@code asia}; {@code GEO-AF}, {@code GEO-AP} and {@code GEO-SA} hold islands Tern counts as
 * {@code antarctica} (BV, TF; HM; GS). A continent is therefore written as the Azure regions whose
 * countries all lie in it, plus its remaining countries one by one:
 *
 * <table>
 *   <tr><th>Tern zone</th><th>geoMapping</th></tr>
 *   <tr><td>{@code default}</td><td>{@code WORLD}</td></tr>
 *   <tr><td>{@code europe}</td><td>{@code GEO-EU}</td></tr>
 *   <tr><td>{@code asia}</td><td>{@code GEO-AS}, {@code GEO-ME}</td></tr>
 *   <tr><td>{@code north-america}</td><td>{@code GEO-NA}</td></tr>
 *   <tr><td>{@code antarctica}</td><td>{@code GEO-AN}, BV, GS, HM, TF</td></tr>
 *   <tr><td>{@code africa}, {@code oceania}, {@code south-america}</td><td>their countries</td></tr>
 *   <tr><td>{@code EU}</td><td>the 30 EU/EEA countries</td></tr>
 *   <tr><td>a country</td><td>its ISO code</td></tr>
 * </table>
 *
 * Country lists follow Microsoft's published hierarchy ("Country/Region hierarchy used by Azure
 * Traffic Manager for geographic traffic routing method"); a country Tern knows and Azure does not
 * list (Western Sahara, EH) cannot be named, and Azure places its clients itself.
 */
public final class AzureGeography {

  /** The root: every client. */
  public static final String WORLD = "WORLD";

  /** Azure's regions under World, each with the countries it lists (states and provinces left out). */
  static final Map<String, Set<String>> REGIONS = regions();

  /** Every country code Azure's hierarchy lists. */
  static final Set<String> COUNTRIES = REGIONS.values().stream().flatMap(Set::stream)
      .collect(Collectors.toUnmodifiableSet());

  private AzureGeography() {}

  private static Map<String, Set<String>> regions() {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    m.put("GEO-EU", codes("AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI"
        + " LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XJ XK"));
    m.put("GEO-ME", codes("AE BH IL IQ IR JO KW LB OM PS QA SY SA TR YE"));
    m.put("GEO-NA", codes("AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX"
        + " NI PA PM PR SV SX TC TT UM US VC VG VI XE XS"));
    m.put("GEO-AS", codes("AF AM AZ BD BN BT CC CN CX GE HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH"
        + " PK SG TH TJ TL TM TW UZ VN"));
    m.put("GEO-AF", codes("AO BF BI BJ BV BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA"
        + " MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW"));
    m.put("GEO-AN", codes("AQ"));
    m.put("GEO-SA", codes("AR BO BR CL CO EC FK GF GS GY PE PY SR UY VE"));
    m.put("GEO-AP", codes("AS AU CK FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS"));
    return Collections.unmodifiableMap(m);
  }

  private static Set<String> codes(String list) {
    return Set.copyOf(Arrays.asList(list.split(" ")));
  }

  /**
   * The geoMapping codes that stand for {@code zone}, before codes taken by more specific zones
   * are removed (see {@link AzureTranslation}); sorted, regions first.
   */
  public static List<String> codesFor(ClientZone zone) {
    if (zone.equals(ClientZone.DEFAULT)) {
      return List.of(WORLD);
    }
    if (zone.equals(ClientZone.EU)) {
      return List.copyOf(new TreeSet<>(Countries.EU_EEA));
    }
    Optional<Continent> continent = Continent.fromKey(zone.key());
    if (continent.isPresent()) {
      return continentCodes(continent.get());
    }
    return COUNTRIES.contains(zone.key()) ? List.of(zone.key()) : List.of();
  }

  /** The countries of {@code zone} that Azure's hierarchy cannot name; empty when it names them all. */
  public static List<String> unnamed(ClientZone zone) {
    if (zone.equals(ClientZone.DEFAULT)) {
      return List.of();
    }
    Optional<Continent> continent = Continent.fromKey(zone.key());
    Set<String> countries = continent.isPresent() ? countriesOf(continent.get())
        : zone.equals(ClientZone.EU) ? Countries.EU_EEA : Set.of(zone.key());
    return countries.stream().filter(c -> !COUNTRIES.contains(c)).sorted().toList();
  }

  private static List<String> continentCodes(Continent continent) {
    Set<String> tern = countriesOf(continent);
    List<String> out = new ArrayList<>();
    Set<String> covered = new TreeSet<>();
    REGIONS.forEach((region, members) -> {
      Set<String> known = members.stream().filter(Countries::isKnown).collect(Collectors.toSet());
      if (!known.isEmpty() && tern.containsAll(known)) {
        out.add(region);
        covered.addAll(known);
      }
    });
    out.sort(null);
    tern.stream().filter(c -> !covered.contains(c) && COUNTRIES.contains(c)).sorted().forEach(out::add);
    return List.copyOf(out);
  }

  private static Set<String> countriesOf(Continent continent) {
    return Countries.codes().stream().filter(c -> Countries.continentOf(c).orElseThrow() == continent)
        .collect(Collectors.toSet());
  }
}
