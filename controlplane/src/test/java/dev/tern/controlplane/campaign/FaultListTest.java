package dev.tern.controlplane.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.campaign.FaultCampaign.Fault;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The {@code -Dtern.campaign.faults} list: names of faults, or every fault when it is not given. */
class FaultListTest {

  @Test
  void a_blank_or_missing_list_means_every_fault() {
    assertEquals(EnumSet.allOf(Fault.class), FaultCampaign.faults(null));
    assertEquals(EnumSet.allOf(Fault.class), FaultCampaign.faults(" "));
  }

  @Test
  void names_are_read_with_spaces_and_either_case() {
    assertEquals(EnumSet.of(Fault.PARTITION_LEADER, Fault.FLAKY_LINK),
        FaultCampaign.faults("partition_leader, FLAKY_LINK"));
  }

  @Test
  void an_unknown_name_is_refused_with_the_names_there_are() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FaultCampaign.faults("KILL_LEADER,FLAKY"));
    assertTrue(e.getMessage().contains("unknown fault 'FLAKY'"), e.getMessage());
    assertTrue(e.getMessage().contains("FLAKY_LINK"), e.getMessage());
  }
}
