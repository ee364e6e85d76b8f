package dev.tern.policy.geo;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ISO 3166-1 alpha-2 countries with their continent and EU/EEA membership. Continents follow the
 * usual GeoIP assignment (Cyprus in Europe), so that every EU/EEA country lies in {@code europe} and
 * client zones form a tree: country, then {@code EU}, then continent, then {@code default}.
 */
public final class Countries {

  /** EU member states plus the EEA (Iceland, Liechtenstein, Norway): the {@code EU} client zone. */
  public static final Set<String> EU_EEA =
      Set.of(
          "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
          "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO");

  private static final Map<String, Continent> CONTINENT_OF = build();

  private Countries() {}

  private static Map<String, Continent> build() {
    Map<String, Continent> m = new HashMap<>();
    put(m, Continent.AFRICA,
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG"
            + " MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW");
    put(m, Continent.ANTARCTICA, "AQ BV GS HM TF");
    put(m, Continent.ASIA,
        "AF AM AZ BH BD BT BN KH CN GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP"
            + " KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE IO CC CX");
    put(m, Continent.EUROPE,
        "AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE XK LV LI LT LU MT"
            + " MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB VA AX");
    put(m, Continent.NORTH_AMERICA,
        "AI AG AW BS BB BZ BM BQ CA KY CR CU CW DM DO SV GL GD GP GT HT HN JM MQ MX MS NI PA PR BL"
            + " KN LC MF PM VC SX TT TC US VG VI UM");
    put(m, Continent.OCEANIA,
        "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF");
    put(m, Continent.SOUTH_AMERICA, "AR BO BR CL CO EC FK GF GY PY PE SR UY VE");
    return Collections.unmodifiableMap(m);
  }

  private static void put(Map<String, Continent> m, Continent continent, String codes) {
    for (String code : codes.split(" ")) {
      m.put(code, continent);
    }
  }

  /** The continent of an ISO country code, if Tern knows the code. */
  public static Optional<Continent> continentOf(String countryCode) {
    return Optional.ofNullable(CONTINENT_OF.get(countryCode));
  }

  public static boolean isKnown(String countryCode) {
    return CONTINENT_OF.containsKey(countryCode);
  }

  public static boolean isEuEea(String countryCode) {
    return EU_EEA.contains(countryCode);
  }

  /** Every known country code. */
  public static Set<String> codes() {
    return CONTINENT_OF.keySet();
  }
}
