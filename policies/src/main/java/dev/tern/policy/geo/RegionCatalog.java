package dev.tern.policy.geo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cloud regions Tern knows, with the country each is in. A policy naming a region not listed
 * here is refused, so a typo cannot put a backend in the wrong jurisdiction.
 */
public final class RegionCatalog {

  private static final Map<Cloud, Map<String, Region>> REGIONS = build();

  private RegionCatalog() {}

  private static Map<Cloud, Map<String, Region>> build() {
    Map<Cloud, Map<String, Region>> m = new EnumMap<>(Cloud.class);
    add(m, Cloud.AWS,
        "us-east-1 US, us-east-2 US, us-west-1 US, us-west-2 US, us-gov-east-1 US, us-gov-west-1 US,"
            + " ca-central-1 CA, ca-west-1 CA, mx-central-1 MX, sa-east-1 BR, eu-central-1 DE,"
            + " eu-central-2 CH, eu-west-1 IE, eu-west-2 GB, eu-west-3 FR, eu-north-1 SE,"
            + " eu-south-1 IT, eu-south-2 ES, il-central-1 IL, me-south-1 BH, me-central-1 AE,"
            + " af-south-1 ZA, ap-east-1 HK, ap-south-1 IN, ap-south-2 IN, ap-northeast-1 JP,"
            + " ap-northeast-2 KR, ap-northeast-3 JP, ap-southeast-1 SG, ap-southeast-2 AU,"
            + " ap-southeast-3 ID, ap-southeast-4 AU, ap-southeast-5 MY, ap-southeast-7 TH");
    add(m, Cloud.AZURE,
        "eastus US, eastus2 US, centralus US, northcentralus US, southcentralus US,"
            + " westcentralus US, westus US, westus2 US, westus3 US, canadacentral CA, canadaeast CA,"
            + " brazilsouth BR, mexicocentral MX, northeurope IE, westeurope NL, francecentral FR,"
            + " francesouth FR, germanywestcentral DE, germanynorth DE, italynorth IT,"
            + " spaincentral ES, polandcentral PL, swedencentral SE, norwayeast NO, norwaywest NO,"
            + " switzerlandnorth CH, switzerlandwest CH, uksouth GB, ukwest GB, israelcentral IL,"
            + " qatarcentral QA, uaenorth AE, southafricanorth ZA, centralindia IN, southindia IN,"
            + " westindia IN, japaneast JP, japanwest JP, koreacentral KR, koreasouth KR,"
            + " eastasia HK, southeastasia SG, australiaeast AU, australiasoutheast AU,"
            + " australiacentral AU, newzealandnorth NZ, malaysiawest MY");
    add(m, Cloud.GCP,
        "us-central1 US, us-east1 US, us-east4 US, us-east5 US, us-south1 US, us-west1 US,"
            + " us-west2 US, us-west3 US, us-west4 US, northamerica-northeast1 CA,"
            + " northamerica-northeast2 CA, northamerica-south1 MX, southamerica-east1 BR,"
            + " southamerica-west1 CL, europe-west1 BE, europe-west2 GB, europe-west3 DE,"
            + " europe-west4 NL, europe-west6 CH, europe-west8 IT, europe-west9 FR,"
            + " europe-west10 DE, europe-west12 IT, europe-north1 FI, europe-north2 SE,"
            + " europe-central2 PL, europe-southwest1 ES, me-west1 IL, me-central1 QA,"
            + " me-central2 SA, africa-south1 ZA, asia-east1 TW, asia-east2 HK, asia-northeast1 JP,"
            + " asia-northeast2 JP, asia-northeast3 KR, asia-south1 IN, asia-south2 IN,"
            + " asia-southeast1 SG, asia-southeast2 ID, australia-southeast1 AU,"
            + " australia-southeast2 AU");
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<Cloud, Map<String, Region>> m, Cloud cloud, String table) {
    Map<String, Region> regions = new LinkedHashMap<>();
    for (String entry : table.split(",")) {
      String[] parts = entry.trim().split(" ");
      regions.put(parts[0], new Region(cloud, parts[0], parts[1]));
    }
    m.put(cloud, Collections.unmodifiableMap(regions));
  }

  public static Optional<Region> find(Cloud cloud, String name) {
    return Optional.ofNullable(REGIONS.get(cloud).get(name));
  }

  /** The region names of one cloud, in catalog order. */
  public static List<String> names(Cloud cloud) {
    return List.copyOf(REGIONS.get(cloud).keySet());
  }

  /** Every region of every cloud. */
  public static List<Region> all() {
    List<Region> out = new ArrayList<>();
    REGIONS.values().forEach(r -> out.addAll(r.values()));
    return out;
  }
}
