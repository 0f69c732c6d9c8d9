-- spine:description undo 0002_circuit_breakers
DROP TABLE CIRCUIT_BREAKERS;
