<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>MessageWidget</name>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n prompt token(s)</source>
        <translation>
            <numerusform>%n prompt token</numerusform>
            <numerusform>%n prompt tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n newly read</source>
        <translation>
            <numerusform>%n newly read</numerusform>
            <numerusform>%n newly read</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) did not fit the model&apos;s context and were left out of this reply.</source>
        <translation>
            <numerusform>The oldest message did not fit the model&apos;s context and was left out of this reply.</numerusform>
            <numerusform>The %n oldest messages did not fit the model&apos;s context and were left out of this reply.</numerusform>
        </translation>
    </message>
</context>
</TS>
